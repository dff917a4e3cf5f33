"""The submissions REST API."""

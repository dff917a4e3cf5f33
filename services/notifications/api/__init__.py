"""The notifications REST API."""

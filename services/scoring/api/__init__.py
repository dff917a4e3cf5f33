"""The scoring REST API."""

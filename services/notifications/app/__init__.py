"""The notifications use cases."""

"""The submissions use cases."""

"""The scoring use cases."""

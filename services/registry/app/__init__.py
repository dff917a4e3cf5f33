"""The registry's use cases: one handler per command."""

"""The registry's domain: the rules that turn commands into events."""

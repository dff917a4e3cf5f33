"""What the registry keeps from other services' events."""

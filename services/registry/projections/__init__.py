"""Read models the registry keeps from other services' events, rebuildable from their topics."""

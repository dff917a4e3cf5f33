"""Policies: consumers that answer events of other services by recording events of their own."""

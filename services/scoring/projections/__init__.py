"""Read models of the scoring service."""

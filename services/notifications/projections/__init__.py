"""Read models of the notifications service, one module each."""

"""Read models of the submissions service, one module each."""

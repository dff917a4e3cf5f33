"""Personal data fixtures: the submissions world (the seeded registry and submissions on one bus)."""

from tests.submissions.conftest import world

__all__ = ["world"]

"""How long to wait before trying again: one rule for every retry the suite writes itself."""

from __future__ import annotations


def exponential(attempts: int, base: float, cap: float) -> float:
    """Return the seconds to wait after ``attempts`` failures: ``base`` doubled each time, at most ``cap``."""
    return float(min(cap, base * 2 ** (min(max(attempts, 1), 40) - 1)))

"""The one backoff rule: doubling from a base, never beyond a cap."""

from __future__ import annotations

import pytest

from shared.backoff import exponential


@pytest.mark.parametrize(
    ("attempts", "base", "cap", "wait"),
    [
        (1, 5, 3600, 5),
        (2, 5, 3600, 10),
        (4, 5, 3600, 40),
        (10, 5, 3600, 2560),
        (11, 5, 3600, 3600),
        (0, 2, 60, 2),
        (10_000, 0.05, 5, 5),
    ],
)
def test_the_wait_doubles_from_its_base_up_to_its_cap(
    attempts: int, base: float, cap: float, wait: float
) -> None:
    assert exponential(attempts, base, cap) == wait

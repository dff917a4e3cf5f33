"""Targets as the letter words them: "từ ... trở lên" (at least), "trên" (more than), "ít nhất" (at least
one), none at all: a table of cases on the domain rule alone."""

from __future__ import annotations

from typing import Any

import pytest

from services.scoring.domain.rules import evaluate_targets


def target(minimum: float | None = None, maximum: float | None = None, **strict: bool) -> dict[str, Any]:
    return {
        "code": "T",
        "description": "",
        "measure": "ratio",
        "numerator": "good",
        "denominator": "all",
        "minimum": minimum,
        "maximum": maximum,
        **strict,
    }


@pytest.mark.parametrize(
    ("case", "rule", "good", "all_", "met"),
    [
        ("từ 80% trở lên, at 80%", target(0.8), 8, 10, True),
        ("từ 80% trở lên, at 70%", target(0.8), 7, 10, False),
        ("trên 90%, at exactly 90%", target(0.9, minimum_exclusive=True), 9, 10, False),
        ("trên 90%, at 95%", target(0.9, minimum_exclusive=True), 19, 20, True),
        ("at most 15%, at 15%", target(None, 0.15), 3, 20, True),
        ("less than 15%, at 15%", target(None, 0.15, maximum_exclusive=True), 3, 20, False),
        ("từ 10-15%, at 12%", target(0.10, 0.15), 3, 25, True),
        ("a division by zero", target(0.8), 0, 0, False),
    ],
)
def test_a_target_is_met_by_its_comparison(
    case: str, rule: dict[str, Any], good: int, all_: int, met: bool
) -> None:
    [result] = evaluate_targets({"targets": [rule]}, {"good": good, "all": all_})
    assert result["met"] is met, case

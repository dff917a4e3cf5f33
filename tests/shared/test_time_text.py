"""Dates and times for people: dd/mm/yyyy, Vietnam time, from one place."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.time import day_text, local_text


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2023, 3, 5), "05/03/2023"),
        ("2023-03-05", "05/03/2023"),
        ("2023-12-31T23:00:00+00:00", "31/12/2023"),
        (None, ""),
        ("", ""),
        ("chưa định", "chưa định"),
    ],
)
def test_a_day_reads_dd_mm_yyyy(day: object, shown: str) -> None:
    assert day_text(day) == shown  # type: ignore[arg-type]


def test_a_moment_reads_in_vietnam_time() -> None:
    assert local_text(datetime(2023, 3, 5, 17, 30, tzinfo=UTC)) == "06/03/2023 00:30"
    assert local_text(None) == ""

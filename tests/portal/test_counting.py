"""One way to count a board cell on every page: an amended filing by the stamp it was filed with."""

from __future__ import annotations

import pytest

from services.portal.statistics import counted_state


@pytest.mark.parametrize(
    ("cell", "counted"),
    [
        ({"status": "on_time", "on_time": True}, "on_time"),
        ({"status": "late", "on_time": False}, "late"),
        ({"status": "amended", "on_time": True}, "on_time"),
        ({"status": "amended", "on_time": False}, "late"),  # amended, but filed late: late
        ({"status": "missing"}, "missing"),
        ({"status": "exempt"}, "exempt"),
    ],
)
def test_a_cell_counts_as_its_stamp_whether_amended_or_not(cell: dict[str, object], counted: str) -> None:
    assert counted_state(cell) == counted

"""The registry's school and cluster rules as tables of cases, on the domain modules alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.registry.domain import clusters, schools
from shared.errors import Conflict, DomainError, RuleBroken


def school(
    school_id: str, status: str = "active", since: str = "2021-01-01", until: str | None = None
) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "status": status,
        "valid_from": date.fromisoformat(since),
        "valid_to": date.fromisoformat(until) if until else None,
        "name": f"Trường {school_id}",
    }


MERGE_DAY = date(2025, 7, 1)


@pytest.mark.parametrize(
    ("case", "successor", "predecessors", "refusal"),
    [
        ("two provinces into one", school("a"), [school("b"), school("c")], None),
        ("into itself", school("a"), [school("a"), school("b")], RuleBroken),
        ("a predecessor named twice", school("a"), [school("b"), school("b")], RuleBroken),
        ("a predecessor already merged", school("a"), [school("b", status="merged")], RuleBroken),
        (
            "a predecessor that began on the merge day",
            school("a"),
            [school("b", since="2025-07-01")],
            RuleBroken,
        ),
        ("a deactivated successor", school("a", status="deactivated"), [school("b")], RuleBroken),
    ],
)
def test_a_merge(
    case: str,
    successor: dict[str, Any],
    predecessors: list[dict[str, Any]],
    refusal: type[DomainError] | None,
) -> None:
    if refusal is None:
        event = schools.merge(successor, predecessors, MERGE_DAY, "Nghị quyết 202/2025/QH15")
        assert event.data == {
            "successor_id": "a",
            "predecessor_ids": ["b", "c"],
            "effective_date": "2025-07-01",
            "legal_basis": "Nghị quyết 202/2025/QH15",
        }
        return
    with pytest.raises(refusal):
        schools.merge(successor, predecessors, MERGE_DAY, "Nghị quyết 202/2025/QH15")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "Trường a"}, []),  # nothing really changes: no event
        (
            {"name": "Trường A mới", "phone": None},
            [{"school_id": "a", "name": "Trường A mới", "phone": None}],
        ),
    ],
)
def test_an_update_records_only_what_really_changes(
    changes: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    current = {**school("a"), "name": "Trường a", "phone": "0210"}
    assert [e.data for e in schools.update(current, changes)] == expected


def test_a_school_cannot_end_before_it_began_nor_change_once_gone() -> None:
    with pytest.raises(RuleBroken):
        schools.deactivate(school("a", since="2021-01-01"), date(2020, 12, 31), "giải thể")
    assert schools.deactivate(school("a"), date(2021, 1, 1), "giải thể").data["valid_to"] == "2021-01-01"
    with pytest.raises(RuleBroken):
        schools.update(school("a", status="merged"), {"name": "X"})


@pytest.mark.parametrize(
    ("school_row", "year", "exists"),
    [
        (school("a", since="2021-01-01"), 2023, True),
        (school("a", since="2023-12-31"), 2023, True),
        (school("a", since="2024-01-01"), 2023, False),
        (school("a", until="2023-01-01"), 2023, True),
        (school("a", until="2022-12-31"), 2023, False),
    ],
)
def test_a_school_exists_in_a_year_when_any_day_of_it_is_covered(
    school_row: dict[str, Any], year: int, exists: bool
) -> None:
    assert clusters.exists_in_year(school_row, year) is exists


CLUSTER = {"cluster_id": "cl", "year": 2023, "head_school_id": "h", "deputy_school_ids": ["d"]}


@pytest.mark.parametrize(
    ("case", "candidate", "current", "refusal"),
    [
        ("a school of the year in no cluster", school("a"), None, None),
        ("already a member", school("a"), "cl", Conflict),
        ("in another cluster that year", school("a"), "cl_other", Conflict),
        ("gone before the year", school("a", until="2022-06-30"), None, RuleBroken),
    ],
)
def test_joining_a_cluster(
    case: str, candidate: dict[str, Any], current: str | None, refusal: type[DomainError] | None
) -> None:
    if refusal is None:
        assert clusters.join(CLUSTER, candidate, current).data == {
            "cluster_id": "cl",
            "year": 2023,
            "school_id": "a",
        }
        return
    with pytest.raises(refusal):
        clusters.join(CLUSTER, candidate, current)


@pytest.mark.parametrize(
    ("case", "leaving", "refused"),
    [("a member", "m", False), ("not a member", "x", True), ("the head", "h", True), ("a deputy", "d", True)],
)
def test_leaving_a_cluster(case: str, leaving: str, refused: bool) -> None:
    members = ["h", "d", "m"]
    if refused:
        with pytest.raises(RuleBroken):
            clusters.leave(CLUSTER, leaving, members)
    else:
        assert clusters.leave(CLUSTER, leaving, members).data["school_id"] == leaving


@pytest.mark.parametrize(
    ("case", "head", "deputies", "refused"),
    [
        ("one deputy", "h", ["d"], False),
        ("two deputies", "h", ["d", "m"], False),
        ("no deputy", "h", [], True),
        ("three deputies", "h", ["d", "m", "n"], True),
        ("the head as a deputy", "h", ["h"], True),
        ("a deputy twice", "h", ["d", "d"], True),
        ("an outsider", "x", ["d"], True),
    ],
)
def test_a_cluster_has_one_head_and_one_or_two_deputies_all_members(
    case: str, head: str, deputies: list[str], refused: bool
) -> None:
    members = ["h", "d", "m", "n"]
    if refused:
        with pytest.raises(RuleBroken):
            clusters.assign_leadership(CLUSTER, members, head, deputies, "QĐ 01")
    else:
        event = clusters.assign_leadership(CLUSTER, members, head, deputies, "QĐ 01")
        assert (event.data["head_school_id"], event.data["deputy_school_ids"]) == (head, deputies)

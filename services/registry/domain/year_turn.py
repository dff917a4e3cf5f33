"""The year turns: next year's leadership confirmed from the nomination, next year's clusters formed.

A cluster of next year is its predecessor carried forward: the same name and region, the members mapped
through the mergers to the schools that carry their work on the first day of the year, and the leadership
the Academy confirmed (mapped the same way), when it still holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registry.domain.clusters import check_leadership
from shared.errors import RuleBroken
from shared.eventstore import NewEvent

School = Mapping[str, Any]


def confirm_next_leadership(
    cluster: Mapping[str, Any],
    members: Sequence[str],
    nomination: Mapping[str, Any] | None,
    head: str | None,
    deputies: Sequence[str] | None,
    decision: str,
) -> NewEvent:
    """Decide NextYearLeadershipConfirmed: the nominated head and deputies unless the Academy names others."""
    if nomination is None and (head is None or deputies is None):
        raise RuleBroken(
            f"cluster {cluster['cluster_id']} has no nomination for {cluster['year'] + 1}; "
            "name the head and the deputies",
            {"cluster_id": cluster["cluster_id"]},
            "no_nomination",
        )
    chosen_head = head if head is not None else str(nomination["head_school_id"])  # type: ignore[index]
    chosen = list(deputies if deputies is not None else nomination["deputy_school_ids"])  # type: ignore[index]
    check_leadership(members, chosen_head, chosen)
    as_nominated = nomination is not None and (
        chosen_head == nomination["head_school_id"] and chosen == list(nomination["deputy_school_ids"])
    )
    return NewEvent(
        "NextYearLeadershipConfirmed",
        {
            "cluster_id": cluster["cluster_id"],
            "year": cluster["year"],
            "next_year": cluster["year"] + 1,
            "head_school_id": chosen_head,
            "deputy_school_ids": chosen,
            "decision": decision,
            "as_nominated": as_nominated,
        },
    )


def carrier_on(school_id: str, schools: Mapping[str, School], day: date) -> str | None:
    """Return the school that carries a school's work on a day, following merges; None if none does."""
    seen: set[str] = set()
    current: str | None = school_id
    while current is not None and current not in seen:
        seen.add(current)
        row = schools.get(current)
        if row is None:
            return None
        if row["status"] == "active" or (row["valid_to"] is not None and row["valid_to"] >= day):
            return current
        current = row.get("successor_id")
    return None


@dataclass
class CarriedCluster:
    """What a cluster of next year is made of: its members, how old members map, who leads it."""

    members: list[str]
    mapped: dict[str, str] = field(default_factory=dict)
    """Each old member carried by another school (a merger), old id to new id."""
    dropped: list[str] = field(default_factory=list)
    """Old members no school carries on the first day of the year (closed without a successor)."""
    leadership: tuple[str, list[str]] | None = None


def carry_forward(
    old_members: Sequence[str],
    confirmed: Mapping[str, Any] | None,
    schools: Mapping[str, School],
    taken: set[str],
    year: int,
) -> CarriedCluster:
    """Map a cluster's members and confirmed leadership into a year; ``taken`` are schools placed already."""
    first_day = date(year, 1, 1)
    carried = CarriedCluster(members=[])
    for old in old_members:
        carrier = carrier_on(old, schools, first_day)
        if carrier is None:
            carried.dropped.append(old)
            continue
        if carrier != old:
            carried.mapped[old] = carrier
        if carrier not in taken and carrier not in carried.members:
            carried.members.append(carrier)
    if confirmed is not None:
        head = carrier_on(confirmed["head_school_id"], schools, first_day)
        deputies = [carrier_on(d, schools, first_day) for d in confirmed["deputy_school_ids"]]
        named = [head, *deputies]
        if None not in named and len(set(named)) == len(named) and set(named) <= set(carried.members):
            carried.leadership = (str(head), [str(d) for d in deputies])
    return carried

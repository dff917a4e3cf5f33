"""Clusters per year: members, head and deputies, as rules that decide events."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from shared.errors import Conflict, RuleBroken
from shared.eventstore import NewEvent


def cluster_stream(cluster_id: str) -> str:
    """Return the stream id of a cluster's events."""
    return f"cluster-{cluster_id}"


def new_cluster_id() -> str:
    """Return a fresh stable cluster id."""
    return f"cl_{uuid.uuid4().hex[:16]}"


def form(
    cluster_id: str,
    year: int,
    name: str,
    region: str,
    sample_data: bool = False,
    carried_from: str | None = None,
) -> NewEvent:
    """Decide ClusterFormed (``carried_from``: the cluster of the year before it continues)."""
    data = {
        "cluster_id": cluster_id,
        "year": year,
        "name": name.strip(),
        "region": region,
        "sample_data": sample_data,
        "carried_from": carried_from,
    }
    return NewEvent("ClusterFormed", data)


def join(cluster: Mapping[str, Any], school: Mapping[str, Any], current_cluster_id: str | None) -> NewEvent:
    """Decide SchoolJoinedCluster: the school must exist that year and be in no other cluster that year."""
    year = cluster["year"]
    if current_cluster_id == cluster["cluster_id"]:
        raise Conflict("the school is already a member", {"school_id": school["school_id"]}, "already_member")
    if current_cluster_id is not None:
        raise Conflict(
            f"school {school['school_id']} is already in another cluster in {year}",
            {"school_id": school["school_id"], "cluster_id": current_cluster_id, "year": year},
            "school_in_another_cluster",
        )
    if not exists_in_year(school, year):
        raise RuleBroken(
            f"school {school['school_id']} does not exist in {year}",
            {"school_id": school["school_id"], "year": year},
            "school_not_in_year",
        )
    return NewEvent(
        "SchoolJoinedCluster",
        {"cluster_id": cluster["cluster_id"], "year": year, "school_id": school["school_id"]},
    )


def leave(cluster: Mapping[str, Any], school_id: str, members: Sequence[str]) -> NewEvent:
    """Decide SchoolLeftCluster: only a member may leave, and not while it leads the cluster."""
    if school_id not in members:
        raise RuleBroken("the school is not a member", {"school_id": school_id}, "not_a_member")
    if school_id == cluster["head_school_id"] or school_id in cluster["deputy_school_ids"]:
        raise RuleBroken(
            "assign other leaders before the head or a deputy leaves", {"school_id": school_id}, "leader"
        )
    return NewEvent(
        "SchoolLeftCluster",
        {"cluster_id": cluster["cluster_id"], "year": cluster["year"], "school_id": school_id},
    )


def merged(
    cluster: Mapping[str, Any],
    members: Sequence[str],
    successor: Mapping[str, Any],
    predecessor_ids: Sequence[str],
    successor_cluster_id: str | None,
    decision: str,
) -> list[NewEvent]:
    """Decide what a merger changes in a cluster of a year it takes effect in.

    The successor joins (unless it belongs to another cluster that year) and the predecessors leave.
    The head's or a deputy's role passes to the successor when that still leaves one head and one or two
    different deputies, all members; otherwise the roles the predecessors held are left vacant, and the
    cluster is flagged for the Academy to assign (``ClusterLeadershipAssigned`` names any member).
    """
    leaving = [p for p in predecessor_ids if p in members]
    if not leaving:
        return []
    events: list[NewEvent] = []
    successor_id = successor["school_id"]
    staying = [m for m in members if m not in leaving]
    if successor_id not in members and successor_cluster_id is None:
        events.append(join(cluster, successor, None))
        staying.append(successor_id)
    head, deputies = cluster["head_school_id"], list(cluster["deputy_school_ids"] or [])
    if head in leaving or any(d in leaving for d in deputies):
        passed_head = successor_id if head in leaving else head
        passed = list(dict.fromkeys(successor_id if d in leaving else d for d in deputies))
        passed = [d for d in passed if d != passed_head]
        try:
            check_leadership(staying, passed_head, passed)
            events.append(assign_leadership(cluster, staying, passed_head, passed, decision))
        except RuleBroken:
            pass  # no unambiguous passing: the predecessors' roles fall vacant as they leave
    for school_id in leaving:
        data = {"cluster_id": cluster["cluster_id"], "year": cluster["year"], "school_id": school_id}
        events.append(NewEvent("SchoolLeftCluster", {**data, "merged_into": successor_id}))
    return events


def assign_leadership(
    cluster: Mapping[str, Any], members: Sequence[str], head: str, deputies: Sequence[str], decision: str
) -> NewEvent:
    """Decide ClusterLeadershipAssigned: one head and one or two deputies, all members, all different."""
    check_leadership(members, head, deputies)
    return NewEvent(
        "ClusterLeadershipAssigned",
        {
            "cluster_id": cluster["cluster_id"],
            "year": cluster["year"],
            "head_school_id": head,
            "deputy_school_ids": list(deputies),
            "decision": decision,
        },
    )


def check_leadership(members: Sequence[str], head: str, deputies: Sequence[str]) -> None:
    """Refuse a leadership that is not one head and one or two deputies, all members, all different."""
    if not 1 <= len(deputies) <= 2:
        raise RuleBroken(
            "a cluster has one or two deputies", {"deputy_school_ids": list(deputies)}, "deputies_count"
        )
    if head in deputies or len(set(deputies)) != len(deputies):
        raise RuleBroken(
            "the head and deputies must be different schools",
            {"head_school_id": head},
            "leaders_not_distinct",
        )
    outsiders = [s for s in (head, *deputies) if s not in members]
    if outsiders:
        raise RuleBroken(
            "the head and deputies must be members", {"school_ids": outsiders}, "leader_not_member"
        )


def exists_in_year(school: Mapping[str, Any], year: int) -> bool:
    """Return whether a school exists for at least part of a year."""
    starts_in_time = school["valid_from"] <= date(year, 12, 31)
    ends_in_time = school["valid_to"] is None or school["valid_to"] >= date(year, 1, 1)
    return bool(starts_in_time and ends_in_time)

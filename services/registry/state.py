"""The registry's state tables as a function of its events: one apply per event type.

Handlers call ``apply`` for every event they append, in the same transaction, so the tables never
disagree with the events (and can be rebuilt from them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from services.registry.contracts import with_deadline_extended
from services.registry.tables import campaigns, cluster_members, clusters, schools
from shared.envelope import Envelope

Apply = Callable[[sa.Connection, dict[str, Any], int], None]


def _day(value: str) -> date:
    return date.fromisoformat(value)


def school_registered(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Add the school."""
    row = {**data, "valid_from": _day(data["valid_from"]), "version": version, "status": "active"}
    conn.execute(schools.insert().values(**row))


def school_updated(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Change the given details."""
    changes = {k: v for k, v in data.items() if k != "school_id"}
    conn.execute(
        schools.update().where(schools.c.school_id == data["school_id"]).values(**changes, version=version)
    )


def school_deactivated(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Mark the school inactive from its end date."""
    conn.execute(
        schools.update()
        .where(schools.c.school_id == data["school_id"])
        .values(status="deactivated", valid_to=_day(data["valid_to"]), version=version)
    )


def schools_merged(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Close each predecessor the day before the merge and point it at its successor (whose stream it is)."""
    effective = _day(data["effective_date"])
    conn.execute(
        schools.update()
        .where(schools.c.school_id.in_(data["predecessor_ids"]))
        .values(
            status="merged",
            valid_to=effective - timedelta(days=1),
            successor_id=data["successor_id"],
            merge_basis=data["legal_basis"],
        )
    )
    conn.execute(schools.update().where(schools.c.school_id == data["successor_id"]).values(version=version))


def cluster_formed(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Add the cluster, with no members yet."""
    conn.execute(clusters.insert().values(**data, head_school_id=None, deputy_school_ids=[], version=version))


def school_joined_cluster(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Add the membership for the year."""
    conn.execute(cluster_members.insert().values(**data))
    _cluster_version(conn, data["cluster_id"], version)


def school_left_cluster(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Remove the membership for the year."""
    conn.execute(
        cluster_members.delete().where(
            (cluster_members.c.year == data["year"]) & (cluster_members.c.school_id == data["school_id"])
        )
    )
    _cluster_version(conn, data["cluster_id"], version)


def cluster_leadership_assigned(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Set the head and deputies."""
    conn.execute(
        clusters.update()
        .where(clusters.c.cluster_id == data["cluster_id"])
        .values(
            head_school_id=data["head_school_id"],
            deputy_school_ids=data["deputy_school_ids"],
            version=version,
        )
    )


def campaign_opened(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Add the year's campaign."""
    conn.execute(campaigns.insert().values(year=data["year"], content=data, version=version))


def campaign_amended(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Replace the campaign's content."""
    conn.execute(
        campaigns.update().where(campaigns.c.year == data["year"]).values(content=data, version=version)
    )


def deadline_extended(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Move one deadline of the campaign."""
    content = conn.execute(
        sa.select(campaigns.c.content).where(campaigns.c.year == data["year"])
    ).scalar_one()
    conn.execute(
        campaigns.update()
        .where(campaigns.c.year == data["year"])
        .values(content=with_deadline_extended(content, data), version=version)
    )


def _cluster_version(conn: sa.Connection, cluster_id: str, version: int) -> None:
    conn.execute(clusters.update().where(clusters.c.cluster_id == cluster_id).values(version=version))


APPLY: dict[str, Apply] = {
    "SchoolRegistered": school_registered,
    "SchoolUpdated": school_updated,
    "SchoolDeactivated": school_deactivated,
    "SchoolsMerged": schools_merged,
    "ClusterFormed": cluster_formed,
    "SchoolJoinedCluster": school_joined_cluster,
    "SchoolLeftCluster": school_left_cluster,
    "ClusterLeadershipAssigned": cluster_leadership_assigned,
    "CampaignOpened": campaign_opened,
    "CampaignAmended": campaign_amended,
    "DeadlineExtended": deadline_extended,
}


def apply(conn: sa.Connection, events: list[Envelope]) -> None:
    """Apply freshly appended events to the state tables."""
    for event in events:
        APPLY[event.type](conn, dict(event.data), event.stream_version)

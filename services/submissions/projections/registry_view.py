"""The registry as submissions needs it: schools and their kind, clusters, members, campaigns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from services.registry.contracts import with_deadline_extended
from services.submissions.contracts import REGISTRY_TOPIC
from services.submissions.tables import campaigns, clusters, members, schools
from shared.consumer import Consumed


class RegistryView:
    """Projection of registry events into the submissions database."""

    name = "submissions-registry-view"
    topics = (REGISTRY_TOPIC,)

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Apply one registry event (events the view does not need are ignored)."""
        handler = self._handlers().get(consumed.event.type)
        if handler is not None:
            handler(conn, dict(consumed.data))

    def reset(self, conn: sa.Connection) -> None:
        """Empty the view."""
        for table in (campaigns, members, clusters, schools):
            conn.execute(table.delete())

    def _handlers(self) -> dict[str, Callable[[sa.Connection, dict[str, Any]], None]]:
        return {
            "SchoolRegistered": _school_registered,
            "SchoolDeactivated": _school_gone,
            "SchoolsMerged": _schools_merged,
            "ClusterFormed": _cluster_formed,
            "SchoolJoinedCluster": _joined,
            "SchoolLeftCluster": _left,
            "ClusterLeadershipAssigned": _leadership,
            "CampaignOpened": _campaign,
            "CampaignAmended": _campaign,
            "DeadlineExtended": _deadline_extended,
        }


def _school_registered(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        schools.insert().values(
            school_id=data["school_id"],
            kind=data["kind"],
            name=data["name"],
            code=data.get("code"),
            active=True,
        )
    )


def _school_gone(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(schools.update().where(schools.c.school_id == data["school_id"]).values(active=False))


def _schools_merged(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        schools.update().where(schools.c.school_id.in_(data["predecessor_ids"])).values(active=False)
    )


def _cluster_formed(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        clusters.insert().values(cluster_id=data["cluster_id"], year=data["year"], head_school_id=None)
    )


def _joined(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        members.insert().values(year=data["year"], school_id=data["school_id"], cluster_id=data["cluster_id"])
    )


def _left(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        members.delete().where((members.c.year == data["year"]) & (members.c.school_id == data["school_id"]))
    )


def _leadership(conn: sa.Connection, data: dict[str, Any]) -> None:
    conn.execute(
        clusters.update()
        .where(clusters.c.cluster_id == data["cluster_id"])
        .values(head_school_id=data["head_school_id"])
    )


def _campaign(conn: sa.Connection, data: dict[str, Any]) -> None:
    where = campaigns.c.year == data["year"]
    if conn.execute(campaigns.update().where(where).values(content=data)).rowcount == 0:
        conn.execute(campaigns.insert().values(year=data["year"], content=data))


def _deadline_extended(conn: sa.Connection, data: dict[str, Any]) -> None:
    content = conn.execute(
        sa.select(campaigns.c.content).where(campaigns.c.year == data["year"])
    ).scalar_one()
    conn.execute(
        campaigns.update()
        .where(campaigns.c.year == data["year"])
        .values(content=with_deadline_extended(content, data))
    )

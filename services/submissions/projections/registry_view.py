"""The registry as submissions needs it: schools and their kind, clusters, members, campaigns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.submissions.tables import campaigns, clusters, members, schools
from services.vocabulary import REGISTRY_TOPIC, extend_kept_deadline
from shared.consumer import Consumed
from shared.envelope import Envelope
from shared.handlers import Handlers

VIEW: Handlers[None] = Handlers("submissions-registry-view")


class RegistryView:
    """Projection of registry events into the submissions database."""

    name = "submissions-registry-view"
    topics = (REGISTRY_TOPIC,)

    handlers = VIEW

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Apply one registry event (events the view does not need are ignored)."""
        VIEW.apply(conn, consumed.event, consumed.data)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the view."""
        for table in (campaigns, members, clusters, schools):
            conn.execute(table.delete())


@VIEW.on("SchoolRegistered")
def _school_registered(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add the school, active; a merge or deactivation read before it (another partition) is kept."""
    details = {"kind": data["kind"], "name": data["name"], "code": data.get("code")}
    where = schools.c.school_id == data["school_id"]
    if conn.execute(schools.update().where(where).values(**details)).rowcount == 0:
        conn.execute(schools.insert().values(school_id=data["school_id"], active=True, **details))


@VIEW.on("SchoolDeactivated")
def _school_gone(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    _end(conn, [data["school_id"]], None)


@VIEW.on("SchoolsMerged")
def _schools_merged(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    _end(conn, data["predecessor_ids"], data["successor_id"])


def _end(conn: sa.Connection, school_ids: list[str], successor_id: str | None) -> None:
    """Mark schools inactive (merged into a successor, if any), holding the end of one not yet registered.

    Registrations and ends sit on different streams, so a rebuild may read an end first: the school is
    then kept as an inactive row without details, which its registration fills in without reviving it.
    """
    ended = {"active": False, **({"merged_into": successor_id} if successor_id else {})}
    for school_id in school_ids:
        where = schools.c.school_id == school_id
        if conn.execute(schools.update().where(where).values(**ended)).rowcount == 0:
            conn.execute(schools.insert().values(school_id=school_id, kind="", name="", **ended))


@VIEW.on("ClusterFormed")
def _cluster_formed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    conn.execute(
        clusters.insert().values(cluster_id=data["cluster_id"], year=data["year"], head_school_id=None)
    )


@VIEW.on("SchoolJoinedCluster")
def _joined(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    conn.execute(
        members.insert().values(year=data["year"], school_id=data["school_id"], cluster_id=data["cluster_id"])
    )


@VIEW.on("SchoolLeftCluster")
def _left(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    conn.execute(
        members.delete().where((members.c.year == data["year"]) & (members.c.school_id == data["school_id"]))
    )


@VIEW.on("ClusterLeadershipAssigned")
def _leadership(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    conn.execute(
        clusters.update()
        .where(clusters.c.cluster_id == data["cluster_id"])
        .values(head_school_id=data["head_school_id"])
    )


@VIEW.on("CampaignOpened", "CampaignAmended")
def _campaign(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    where = campaigns.c.year == data["year"]
    if conn.execute(campaigns.update().where(where).values(content=data)).rowcount == 0:
        conn.execute(campaigns.insert().values(year=data["year"], content=data))


@VIEW.on("DeadlineExtended")
def _deadline_extended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    extend_kept_deadline(conn, campaigns, data)

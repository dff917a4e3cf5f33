"""The fast tier's submissions: the in-memory unit of work holding the 2023 registry as its view sees it.

The view is fed by the view's own handlers with the registry's events built from the seed data (schools,
clusters, members, heads and the campaign), in the order the registry records them: no registry, no bus.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.registry.seed.campaign_2023 import campaign_2023
from services.registry.seed.clusters_2023 import CLUSTERS, cluster_id
from services.registry.seed.schools_2023 import MINISTRY, PROVINCIAL, school_id
from services.submissions.app.work import InMemorySubmissions
from services.submissions.projections.registry_view import VIEW
from shared.envelope import Envelope


def registry_2023() -> list[Envelope]:
    """Return the 2023 registry's events as the view needs them."""
    events: list[tuple[str, str, dict[str, Any]]] = []
    for school in (*PROVINCIAL, *MINISTRY):
        sid = school_id(school.code)
        events.append(
            (
                sid,
                "SchoolRegistered",
                {"school_id": sid, "kind": school.kind, "name": school.name, "code": school.code},
            )
        )
    for cluster in CLUSTERS:
        cid = cluster_id(cluster.key)
        events.append((cid, "ClusterFormed", {"cluster_id": cid, "year": 2023}))
        for school in (*PROVINCIAL, *MINISTRY):
            if school.cluster == cluster.key:
                joined = {"cluster_id": cid, "year": 2023, "school_id": school_id(school.code)}
                events.append((cid, "SchoolJoinedCluster", joined))
        head = {"cluster_id": cid, "year": 2023, "head_school_id": school_id(cluster.head)}
        events.append((cid, "ClusterLeadershipAssigned", head))
    events.append(("campaign-2023", "CampaignOpened", campaign_2023()))
    return [
        Envelope(
            type=kind, source="registry", stream_id=stream, data=data, schema_version=1, stream_version=1
        )
        for stream, kind, data in events
    ]


def submissions_2023(now: str = "2023-03-01T10:00:00+07:00") -> InMemorySubmissions:
    """Return submissions in memory with the 2023 registry in its view and its clock at ``now``."""
    uow = InMemorySubmissions(datetime.fromisoformat(now).astimezone(UTC))
    with uow.transaction() as conn:
        for event in registry_2023():
            VIEW.apply(conn, event, dict(event.data))
    return uow


def register_school(uow: InMemorySubmissions, school_id: str, name: str, kind: str = "provincial") -> None:
    """Let the view learn of a school the registry registered (in no cluster yet)."""
    data = {"school_id": school_id, "kind": kind, "name": name, "code": None}
    event = Envelope(
        type="SchoolRegistered", source="registry", stream_id=school_id, data=data, stream_version=1
    )
    with uow.transaction() as conn:
        VIEW.apply(conn, event, data)


def at(uow: InMemorySubmissions, moment: str) -> None:
    """Set the clock to a moment (ISO, with its offset)."""
    uow.now = datetime.fromisoformat(moment).astimezone(UTC)

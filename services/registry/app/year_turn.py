"""The year's turn: confirm next year's leadership, form next year's clusters, read a school's years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from services.registry.app.lookups import absorbed, cluster_row, members_of, school_row
from services.registry.domain import clusters as rules
from services.registry.domain.clusters import cluster_stream
from services.registry.domain.year_turn import carry_forward, confirm_next_leadership
from services.registry.service import Registry
from services.registry.tables import cluster_members, clusters, nominations, schools
from shared.errors import Conflict
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork


def nomination_of(registry: Registry, cluster_id: str) -> dict[str, Any]:
    """Return a cluster's nomination of next year's leadership and the Academy's confirmation, if any."""
    with registry.reader.connect() as conn:
        return _nomination(conn, cluster_id)


def _nomination(conn: sa.Connection, cluster_id: str) -> dict[str, Any]:
    cluster = cluster_row(conn, cluster_id)
    row = conn.execute(nominations.select().where(nominations.c.cluster_id == cluster_id)).mappings().first()
    found = dict(row) if row else {}
    return {
        "cluster_id": cluster_id,
        "year": cluster["year"],
        "next_year": cluster["year"] + 1,
        "nominated": _leaders(found.get("head_school_id"), found.get("deputy_school_ids")),
        "submission_id": found.get("submission_id"),
        "confirmed": _leaders(
            found.get("confirmed_head_school_id"), found.get("confirmed_deputy_school_ids")
        ),
        "decision": found.get("decision"),
    }


def confirm_leadership(
    registry: UnitOfWork,
    cluster_id: str,
    head: str | None,
    deputies: Sequence[str] | None,
    decision: str,
    context: Context,
) -> dict[str, Any]:
    """Confirm next year's head and deputies of a cluster: as nominated, or as the Academy names them."""
    with registry.transaction() as conn:
        cluster = cluster_row(conn, cluster_id)
        row = (
            conn.execute(nominations.select().where(nominations.c.cluster_id == cluster_id))
            .mappings()
            .first()
        )
        nominated = dict(row) if row and row["head_school_id"] else None
        event = confirm_next_leadership(
            cluster, members_of(conn, cluster_id), nominated, head, deputies, decision
        )
        registry.record(conn, cluster_stream(cluster_id), [event], context)
        return _nomination(conn, cluster_id)


def carry_clusters_forward(registry: UnitOfWork, year: int, context: Context) -> list[dict[str, Any]]:
    """Form the year's clusters from the year before's: members through the mergers, confirmed leaders.

    A cluster already carried into the year is left as it is, so running this twice changes nothing.
    """
    formed = []
    with registry.transaction() as conn:
        every_school = {r["school_id"]: dict(r) for r in conn.execute(schools.select()).mappings()}
        carried = set(
            conn.execute(sa.select(clusters.c.carried_from).where(clusters.c.year == year)).scalars()
        )
        taken = set(
            conn.execute(
                sa.select(cluster_members.c.school_id).where(cluster_members.c.year == year)
            ).scalars()
        )
        previous = [
            dict(r)
            for r in conn.execute(
                clusters.select().where(clusters.c.year == year - 1).order_by(clusters.c.name)
            ).mappings()
        ]
        names = set(conn.execute(sa.select(clusters.c.name).where(clusters.c.year == year)).scalars())
        clashing = [o["name"] for o in previous if o["cluster_id"] not in carried and o["name"] in names]
        if clashing:
            raise Conflict(
                f"{year} already has a cluster named as one to carry forward: {', '.join(clashing)}",
                {"names": clashing, "year": year},
                "duplicate_cluster",
            )
        for old in previous:
            if old["cluster_id"] in carried:
                continue
            confirmed = (
                conn.execute(
                    sa.select(
                        nominations.c.confirmed_head_school_id.label("head_school_id"),
                        nominations.c.confirmed_deputy_school_ids.label("deputy_school_ids"),
                        nominations.c.decision,
                    ).where(
                        (nominations.c.cluster_id == old["cluster_id"])
                        & nominations.c.confirmed_head_school_id.is_not(None)
                    )
                )
                .mappings()
                .first()
            )
            kept = dict(confirmed) if confirmed is not None else None
            plan = carry_forward(members_of(conn, old["cluster_id"]), kept, every_school, taken, year)
            cluster_id = rules.new_cluster_id()
            stream = cluster_stream(cluster_id)
            name, region = old["name"], old["region"]
            event = rules.form(cluster_id, year, name, region, old["sample_data"], old["cluster_id"])
            registry.record(conn, stream, [event], context, 0)
            formed_cluster = cluster_row(conn, cluster_id)
            joins = [rules.join(formed_cluster, every_school[school_id], None) for school_id in plan.members]
            registry.record(conn, stream, joins, context)
            taken |= set(plan.members)
            if plan.leadership is not None and kept is not None:
                head, deputies = plan.leadership
                decision = str(kept["decision"])
                lead = rules.assign_leadership(
                    cluster_row(conn, cluster_id), plan.members, head, deputies, decision
                )
                registry.record(conn, stream, [lead], context)
            formed.append(
                {
                    **cluster_row(conn, cluster_id),
                    "member_ids": sorted(plan.members),
                    "mapped": plan.mapped,
                    "dropped": plan.dropped,
                }
            )
    return formed


def school_years(registry: Registry, school_id: str) -> dict[str, Any]:
    """Return a school's years: each year's cluster and role, its own and those of the schools it absorbed."""
    with registry.reader.connect() as conn:
        school = school_row(conn, school_id)
        lineage = absorbed(conn, school_id)
        rows = conn.execute(
            sa.select(cluster_members.c.year, cluster_members.c.school_id, clusters)
            .join(clusters, clusters.c.cluster_id == cluster_members.c.cluster_id)
            .where(cluster_members.c.school_id.in_(lineage))
            .order_by(cluster_members.c.year, cluster_members.c.school_id)
        ).mappings()
        years = [
            {
                "year": r["year"],
                "school_id": r["school_id"],
                "via": "self" if r["school_id"] == school_id else "predecessor",
                "cluster_id": r["cluster_id"],
                "cluster_name": r["name"],
                "role": _role(r, r["school_id"]),
            }
            for r in rows
        ]
    return {"school": school, "absorbed": sorted(lineage - {school_id}), "years": years}


def _role(cluster: Any, school_id: str) -> str:
    if cluster["head_school_id"] == school_id:
        return "head"
    return "deputy" if school_id in (cluster["deputy_school_ids"] or []) else "member"


def _leaders(head: str | None, deputies: Sequence[str] | None) -> dict[str, Any] | None:
    return None if head is None else {"head_school_id": head, "deputy_school_ids": list(deputies or [])}

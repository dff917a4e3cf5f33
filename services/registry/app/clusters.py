"""Cluster use cases: form a cluster for a year, change its members and its leadership, and the queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from services.registry.app.lookups import cluster_row, members_of, school_row
from services.registry.domain import clusters as rules
from services.registry.domain.clusters import cluster_stream
from services.registry.service import Registry
from services.registry.tables import cluster_members, clusters
from shared.errors import Conflict
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork


def form_cluster(
    registry: UnitOfWork,
    year: int,
    name: str,
    region: str,
    member_ids: Sequence[str],
    leadership: tuple[str, Sequence[str], str] | None,
    context: Context,
    cluster_id: str | None = None,
    sample_data: bool = False,
) -> dict[str, Any]:
    """Form a cluster with its members and, optionally, its head and deputies, in one transaction."""
    cluster_id = cluster_id or rules.new_cluster_id()
    stream = cluster_stream(cluster_id)
    with registry.transaction() as conn:
        if conn.execute(
            sa.select(clusters.c.cluster_id).where((clusters.c.year == year) & (clusters.c.name == name))
        ).first():
            raise Conflict(
                f"a cluster named {name} exists in {year}", {"name": name, "year": year}, "duplicate_cluster"
            )
        registry.record(conn, stream, [rules.form(cluster_id, year, name, region, sample_data)], context, 0)
        for school_id in dict.fromkeys(member_ids):
            _join(registry, conn, cluster_id, school_id, context)
        if leadership is not None:
            head, deputies, decision = leadership
            event = rules.assign_leadership(
                cluster_row(conn, cluster_id), members_of(conn, cluster_id), head, deputies, decision
            )
            registry.record(conn, stream, [event], context)
        return _cluster_with_members(conn, cluster_id)


def add_member(
    registry: UnitOfWork, cluster_id: str, school_id: str, expected_version: int | None, context: Context
) -> dict[str, Any]:
    """Add a school to a cluster for the cluster's year."""
    with registry.transaction() as conn:
        cluster = cluster_row(conn, cluster_id)
        _check_version(cluster, expected_version)
        _join(registry, conn, cluster_id, school_id, context)
        return _cluster_with_members(conn, cluster_id)


def remove_member(
    registry: UnitOfWork, cluster_id: str, school_id: str, expected_version: int | None, context: Context
) -> dict[str, Any]:
    """Remove a school from a cluster for the cluster's year."""
    with registry.transaction() as conn:
        cluster = cluster_row(conn, cluster_id)
        event = rules.leave(cluster, school_id, members_of(conn, cluster_id))
        registry.record(conn, cluster_stream(cluster_id), [event], context, expected_version)
        return _cluster_with_members(conn, cluster_id)


def assign_leadership(
    registry: UnitOfWork,
    cluster_id: str,
    head: str,
    deputies: Sequence[str],
    decision: str,
    expected_version: int | None,
    context: Context,
) -> dict[str, Any]:
    """Set a cluster's head and deputies (the Academy's confirmation for that year)."""
    with registry.transaction() as conn:
        cluster = cluster_row(conn, cluster_id)
        event = rules.assign_leadership(cluster, members_of(conn, cluster_id), head, deputies, decision)
        registry.record(conn, cluster_stream(cluster_id), [event], context, expected_version)
        return _cluster_with_members(conn, cluster_id)


def get_cluster(registry: Registry, cluster_id: str) -> dict[str, Any]:
    """Return one cluster with its members."""
    with registry.reader.connect() as conn:
        return _cluster_with_members(conn, cluster_id)


def list_clusters(registry: Registry, year: int | None, page: int, per_page: int) -> list[dict[str, Any]]:
    """Return one page of clusters with their members, by year then name."""
    query = clusters.select().order_by(clusters.c.year, clusters.c.name)
    if year is not None:
        query = query.where(clusters.c.year == year)
    query = query.offset((page - 1) * per_page).limit(per_page)
    with registry.reader.connect() as conn:
        return [
            {**row, "member_ids": members_of(conn, row["cluster_id"])}
            for row in conn.execute(query).mappings()
        ]


def _join(
    registry: UnitOfWork, conn: sa.Connection, cluster_id: str, school_id: str, context: Context
) -> None:
    cluster = cluster_row(conn, cluster_id)
    school = school_row(conn, school_id, in_body=True)
    current = conn.execute(
        sa.select(cluster_members.c.cluster_id).where(
            (cluster_members.c.year == cluster["year"]) & (cluster_members.c.school_id == school_id)
        )
    ).scalar()
    registry.record(conn, cluster_stream(cluster_id), [rules.join(cluster, school, current)], context)


def _cluster_with_members(conn: sa.Connection, cluster_id: str) -> dict[str, Any]:
    return {**cluster_row(conn, cluster_id), "member_ids": members_of(conn, cluster_id)}


def _check_version(cluster: dict[str, Any], expected_version: int | None) -> None:
    if expected_version is not None and expected_version != cluster["version"]:
        raise Conflict(
            f"cluster {cluster['cluster_id']} is at version {cluster['version']}, not {expected_version}",
            {"expected_version": expected_version, "actual_version": cluster["version"]},
            "version_conflict",
        )

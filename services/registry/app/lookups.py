"""Lookups the registry's use cases share."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry.tables import cluster_members, clusters, schools
from shared.errors import NotFound, RuleBroken


def school_row(conn: sa.Connection, school_id: str, *, in_body: bool = False) -> dict[str, Any]:
    """Return a school's row; unknown is 404 in a path and 422 when named in a request body."""
    row = conn.execute(schools.select().where(schools.c.school_id == school_id)).mappings().first()
    if row is None:
        if in_body:
            raise RuleBroken(f"no school with id {school_id}", {"school_id": school_id}, "unknown_school")
        raise NotFound(f"no school with id {school_id}", {"school_id": school_id})
    return dict(row)


def cluster_row(conn: sa.Connection, cluster_id: str) -> dict[str, Any]:
    """Return a cluster's row; an unknown cluster is not found."""
    row = conn.execute(clusters.select().where(clusters.c.cluster_id == cluster_id)).mappings().first()
    if row is None:
        raise NotFound(f"no cluster with id {cluster_id}", {"cluster_id": cluster_id})
    return dict(row)


def members_of(conn: sa.Connection, cluster_id: str) -> list[str]:
    """Return the ids of a cluster's members, sorted."""
    query = sa.select(cluster_members.c.school_id).where(cluster_members.c.cluster_id == cluster_id)
    return sorted(conn.execute(query).scalars())


def absorbed(conn: sa.Connection, school_id: str) -> set[str]:
    """Return the school and every school merged into it, recursively."""
    found, frontier = {school_id}, [school_id]
    while frontier and len(found) < 1000:
        merged = set(
            conn.execute(sa.select(schools.c.school_id).where(schools.c.successor_id.in_(frontier))).scalars()
        )
        frontier = sorted(merged - found)
        found |= merged
    return found

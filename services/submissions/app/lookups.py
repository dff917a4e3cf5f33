"""What the use cases look up in the registry view and the filings' state."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.submissions.tables import campaigns, clusters, members, schools, submissions
from shared.errors import NotFound, RuleBroken


def campaign(conn: sa.Connection, year: int) -> dict[str, Any]:
    """Return a year's campaign content; an unknown year is not found."""
    content = conn.execute(sa.select(campaigns.c.content).where(campaigns.c.year == year)).scalar()
    if content is None:
        raise NotFound(f"no campaign for {year}", {"year": year})
    return dict(content)


def school(conn: sa.Connection, school_id: str) -> dict[str, Any]:
    """Return a school of the registry view; unknown is a 422 (it is named in a body)."""
    row = conn.execute(schools.select().where(schools.c.school_id == school_id)).mappings().first()
    if row is None:
        raise RuleBroken(f"no school with id {school_id}", {"school_id": school_id}, "unknown_school")
    return dict(row)


def cluster_of(conn: sa.Connection, year: int, school_id: str) -> str | None:
    """Return the cluster a school belongs to in a year, if any."""
    query = sa.select(members.c.cluster_id).where(
        (members.c.year == year) & (members.c.school_id == school_id)
    )
    return conn.execute(query).scalar()


def cluster_in_year(conn: sa.Connection, year: int, cluster_id: str) -> dict[str, Any]:
    """Return a cluster of that year; unknown is a 422."""
    row = (
        conn.execute(
            clusters.select().where((clusters.c.cluster_id == cluster_id) & (clusters.c.year == year))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise RuleBroken(
            f"no cluster {cluster_id} in {year}", {"cluster_id": cluster_id, "year": year}, "unknown_cluster"
        )
    return dict(row)


def members_of(conn: sa.Connection, year: int, cluster_id: str) -> list[str]:
    """Return the member school ids of a cluster in a year."""
    query = sa.select(members.c.school_id).where(
        (members.c.year == year) & (members.c.cluster_id == cluster_id)
    )
    return sorted(conn.execute(query).scalars())


def submission(conn: sa.Connection, submission_id: str) -> dict[str, Any]:
    """Return a filing; an unknown id is not found."""
    row = (
        conn.execute(submissions.select().where(submissions.c.submission_id == submission_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no filing with id {submission_id}", {"submission_id": submission_id})
    return dict(row)

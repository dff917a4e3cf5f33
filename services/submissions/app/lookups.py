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


def known_school(conn: sa.Connection, school_id: str) -> dict[str, Any] | None:
    """Return a school of the registry view, or None if the registry has not registered it."""
    row = conn.execute(schools.select().where(schools.c.school_id == school_id)).mappings().first()
    return dict(row) if row is not None else None


def has_cluster(conn: sa.Connection, year: int, cluster_id: str) -> bool:
    """Return whether a cluster exists in a year."""
    query = sa.select(clusters.c.cluster_id).where(
        (clusters.c.cluster_id == cluster_id) & (clusters.c.year == year)
    )
    return conn.execute(query).first() is not None


def member_kinds(conn: sa.Connection, year: int, cluster_id: str) -> dict[str, str]:
    """Return the member schools of a cluster in a year, each with its kind (provincial or ministry)."""
    query = (
        sa.select(members.c.school_id, schools.c.kind)
        .outerjoin(schools, schools.c.school_id == members.c.school_id)
        .where((members.c.year == year) & (members.c.cluster_id == cluster_id))
        .order_by(members.c.school_id)
    )
    return {school_id: kind or "" for school_id, kind in conn.execute(query)}


def filed(conn: sa.Connection, year: int, form: str, filer_id: str) -> str | None:
    """Return the id of a filer's earlier filing of a form in a year, if there is one."""
    query = sa.select(submissions.c.submission_id).where(
        (submissions.c.year == year) & (submissions.c.form == form) & (submissions.c.filer_id == filer_id)
    )
    return conn.execute(query).scalar()


def cluster_of(conn: sa.Connection, year: int, school_id: str) -> str | None:
    """Return the cluster a school belongs to in a year, if any."""
    query = sa.select(members.c.cluster_id).where(
        (members.c.year == year) & (members.c.school_id == school_id)
    )
    return conn.execute(query).scalar()


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

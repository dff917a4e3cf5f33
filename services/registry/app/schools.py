"""School use cases: register, update, deactivate, merge, and the queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from services.registry.app.lookups import cluster_row, members_of, school_row
from services.registry.domain import clusters as cluster_rules
from services.registry.domain import schools as rules
from services.registry.domain.clusters import cluster_stream
from services.registry.domain.schools import RegisterSchool, school_stream
from services.registry.service import Registry
from services.registry.tables import cluster_members, schools
from shared.errors import Conflict, RuleBroken
from shared.eventstore import Context
from shared.time import day_text
from shared.unit_of_work import UnitOfWork


def register_school(
    registry: UnitOfWork, command: RegisterSchool, context: Context, school_id: str | None = None
) -> dict[str, Any]:
    """Register a school; a code already in use is a conflict."""
    school_id = school_id or rules.new_school_id()
    event = rules.register(school_id, command)
    with registry.transaction() as conn:
        _code_must_be_free(conn, event.data["code"])
        _name_must_be_free(conn, event.data["name"], event.data["province"])
        registry.record(conn, school_stream(school_id), [event], context, expected_version=0)
        return school_row(conn, school_id)


def update_school(
    registry: UnitOfWork,
    school_id: str,
    changes: dict[str, Any],
    expected_version: int | None,
    context: Context,
) -> dict[str, Any]:
    """Change a school's details (name, province, contacts)."""
    with registry.transaction() as conn:
        school = school_row(conn, school_id)
        events = rules.update(school, changes)
        if events and ({"name", "province"} & set(events[0].data)):
            name = changes.get("name", school["name"])
            _name_must_be_free(conn, name, changes.get("province", school["province"]), {school_id})
        registry.record(conn, school_stream(school_id), events, context, expected_version)
        return school_row(conn, school_id)


def deactivate_school(
    registry: UnitOfWork,
    school_id: str,
    valid_to: date,
    reason: str,
    expected_version: int | None,
    context: Context,
) -> dict[str, Any]:
    """End a school's participation from a date on."""
    with registry.transaction() as conn:
        event = rules.deactivate(school_row(conn, school_id), valid_to, reason)
        registry.record(conn, school_stream(school_id), [event], context, expected_version)
        return school_row(conn, school_id)


def merge_schools(
    registry: UnitOfWork,
    predecessor_ids: list[str],
    successor_id: str | None,
    new_successor: RegisterSchool | None,
    effective: date,
    legal_basis: str,
    context: Context,
    new_successor_id: str | None = None,
) -> dict[str, Any]:
    """Merge schools into an existing successor or into one registered by the same command."""
    with registry.transaction() as conn:
        predecessors = [school_row(conn, p, in_body=True) for p in predecessor_ids]
        if new_successor is not None:
            successor_id = new_successor_id or rules.new_school_id()
            registered = rules.register(successor_id, new_successor)
            _code_must_be_free(conn, registered.data["code"])
            name, province = registered.data["name"], registered.data["province"]
            _name_must_be_free(conn, name, province, set(predecessor_ids))  # a successor keeps a name
            registry.record(conn, school_stream(successor_id), [registered], context, expected_version=0)
        if successor_id is None:
            raise RuleBroken("name a successor_id or describe a new successor", {}, "no_successor")
        successor = school_row(conn, successor_id, in_body=True)
        event = rules.merge(successor, predecessors, effective, legal_basis)
        registry.record(conn, school_stream(successor_id), [event], context)
        _merge_into_clusters(registry, conn, successor_id, predecessor_ids, effective, legal_basis, context)
        return school_row(conn, successor_id)


def _merge_into_clusters(
    registry: UnitOfWork,
    conn: sa.Connection,
    successor_id: str,
    predecessor_ids: list[str],
    effective: date,
    legal_basis: str,
    context: Context,
) -> None:
    """Bring the clusters of the years the merger takes effect in, formed already, up to the merger."""
    successor = school_row(conn, successor_id)
    held = conn.execute(
        sa.select(cluster_members.c.cluster_id, cluster_members.c.year)
        .where(cluster_members.c.school_id.in_(predecessor_ids) & (cluster_members.c.year >= effective.year))
        .distinct()
        .order_by(cluster_members.c.year, cluster_members.c.cluster_id)
    ).all()
    for cluster_id, year in held:
        successor_cluster = conn.execute(
            sa.select(cluster_members.c.cluster_id).where(
                (cluster_members.c.year == year) & (cluster_members.c.school_id == successor_id)
            )
        ).scalar()
        elsewhere = successor_cluster if successor_cluster != cluster_id else None
        events = cluster_rules.merged(
            cluster_row(conn, cluster_id),
            members_of(conn, cluster_id),
            successor,
            predecessor_ids,
            elsewhere,
            f"Sáp nhập từ {day_text(effective)}: {legal_basis}"[:500],
        )
        if events:
            registry.record(conn, cluster_stream(cluster_id), events, context)


def get_school(registry: Registry, school_id: str) -> dict[str, Any]:
    """Return one school; an unknown id is not found."""
    with registry.reader.connect() as conn:
        return school_row(conn, school_id)


def list_schools(
    registry: Registry, filters: dict[str, Any], page: int, per_page: int
) -> list[dict[str, Any]]:
    """Return one page of schools, filtered by kind, province, status, year or cluster, ordered by code."""
    query = schools.select().order_by(schools.c.code)
    for column in ("kind", "province", "status"):
        if filters.get(column):
            query = query.where(schools.c[column] == filters[column])
    if year := filters.get("year"):
        query = query.where(schools.c.valid_from <= date(year, 12, 31)).where(
            (schools.c.valid_to.is_(None)) | (schools.c.valid_to >= date(year, 1, 1))
        )
    if cluster_id := filters.get("cluster_id"):
        members = sa.select(cluster_members.c.school_id).where(cluster_members.c.cluster_id == cluster_id)
        query = query.where(schools.c.school_id.in_(members))
    query = query.offset((page - 1) * per_page).limit(per_page)
    with registry.reader.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def lineage(registry: Registry, school_id: str) -> dict[str, Any]:
    """Return a school with every predecessor it absorbed (recursively) and its chain of successors."""
    with registry.reader.connect() as conn:
        school = school_row(conn, school_id)
        successors: list[dict[str, Any]] = []
        current = school
        while current["successor_id"] and len(successors) < 50:
            current = school_row(conn, current["successor_id"])
            successors.append(current)
        return {
            "school": school,
            "predecessors": _predecessors(conn, school_id, depth=0),
            "successors": successors,
        }


def _predecessors(conn: sa.Connection, school_id: str, depth: int) -> list[dict[str, Any]]:
    """Return the schools merged into a school, each with its own predecessors."""
    if depth > 20:
        return []
    rows = conn.execute(schools.select().where(schools.c.successor_id == school_id).order_by(schools.c.code))
    return [
        {**row, "predecessors": _predecessors(conn, row["school_id"], depth + 1)} for row in rows.mappings()
    ]


def _code_must_be_free(conn: sa.Connection, code: str) -> None:
    """Refuse a code another school already has."""
    if conn.execute(sa.select(schools.c.school_id).where(schools.c.code == code)).first():
        raise Conflict(f"school code {code} is already registered", {"code": code}, "duplicate_code")


def _name_must_be_free(
    conn: sa.Connection, name: str, province: str, allowed: set[str] | None = None
) -> None:
    """Refuse a name that an active school of the same province already bears (except the ``allowed``)."""
    query = sa.select(schools.c.school_id).where(
        (sa.func.lower(schools.c.name) == name.strip().lower())
        & (sa.func.lower(schools.c.province) == province.strip().lower())
        & (schools.c.status == "active")
    )
    taken = [s for s in conn.execute(query).scalars() if s not in (allowed or set())]
    if taken:
        raise Conflict(
            f"an active school named {name} already exists in {province}",
            {"name": name, "province": province, "school_id": taken[0]},
            "duplicate_school",
        )

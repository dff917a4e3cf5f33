"""Registry use cases: check, record the events, keep the schools table in the same transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry import tables
from services.registry.bootstrap import Registry
from services.registry.domain.model import RegisterSchool, new_school_id, school_registered, school_stream
from shared.errors import Conflict, NotFound
from shared.eventstore import Context


def register_school(registry: Registry, command: RegisterSchool, context: Context) -> dict[str, Any]:
    """Register a school; a code already in use is a conflict."""
    school_id = new_school_id()
    event = school_registered(school_id, command)
    code = event.data["code"]
    try:
        with registry.engine.begin() as conn:
            if conn.execute(
                sa.select(tables.schools.c.school_id).where(tables.schools.c.code == code)
            ).first():
                raise Conflict(f"school code {code} is already registered", {"code": code}, "duplicate_code")
            (stored,) = registry.store.append(conn, school_stream(school_id), 0, [event], context)
            row = {**stored.data, "valid_from": command.valid_from, "version": stored.stream_version}
            conn.execute(tables.schools.insert().values(**row))
    except sa.exc.IntegrityError as exc:  # a concurrent registration took the code first
        raise Conflict(f"school code {code} is already registered", {"code": code}, "duplicate_code") from exc
    return get_school(registry, school_id)


def get_school(registry: Registry, school_id: str) -> dict[str, Any]:
    """Return one school; an unknown id is not found."""
    with registry.reader.connect() as conn:
        row = (
            conn.execute(tables.schools.select().where(tables.schools.c.school_id == school_id))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound(f"no school with id {school_id}", {"school_id": school_id})
    return dict(row)


def list_schools(
    registry: Registry, kind: str | None, province: str | None, page: int, per_page: int
) -> list[dict[str, Any]]:
    """Return one page of schools, filtered by kind and province, ordered by code."""
    query = tables.schools.select().order_by(tables.schools.c.code)
    if kind:
        query = query.where(tables.schools.c.kind == kind)
    if province:
        query = query.where(tables.schools.c.province == province)
    query = query.offset((page - 1) * per_page).limit(per_page)
    with registry.reader.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]

"""Lookups the registry's use cases share."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry.tables import schools
from shared.errors import NotFound, RuleBroken


def school_row(conn: sa.Connection, school_id: str, *, in_body: bool = False) -> dict[str, Any]:
    """Return a school's row; unknown is 404 in a path and 422 when named in a request body."""
    row = conn.execute(schools.select().where(schools.c.school_id == school_id)).mappings().first()
    if row is None:
        if in_body:
            raise RuleBroken(f"no school with id {school_id}", {"school_id": school_id}, "unknown_school")
        raise NotFound(f"no school with id {school_id}", {"school_id": school_id})
    return dict(row)

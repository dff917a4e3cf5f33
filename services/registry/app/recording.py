"""Record decided events: append them to their stream and apply them to the state tables at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from services.registry import state
from services.registry.bootstrap import Registry
from services.registry.tables import schools
from shared.envelope import Envelope
from shared.errors import NotFound, RuleBroken
from shared.eventstore import ANY_VERSION, Context, NewEvent


def record(
    registry: Registry,
    conn: sa.Connection,
    stream_id: str,
    events: Sequence[NewEvent],
    context: Context,
    expected_version: int | None = None,
) -> list[Envelope]:
    """Append events (checking the expected version when given) and update the state tables."""
    if not events:
        return []
    expected = ANY_VERSION if expected_version is None else expected_version
    stored = registry.store.append(conn, stream_id, expected, events, context)
    state.apply(conn, stored)
    return stored


def school_row(conn: sa.Connection, school_id: str, *, in_body: bool = False) -> dict[str, Any]:
    """Return a school's row; unknown is 404 in a path and 422 when named in a request body."""
    row = conn.execute(schools.select().where(schools.c.school_id == school_id)).mappings().first()
    if row is None:
        if in_body:
            raise RuleBroken(f"no school with id {school_id}", {"school_id": school_id}, "unknown_school")
        raise NotFound(f"no school with id {school_id}", {"school_id": school_id})
    return dict(row)

"""Form 09 confirmations: the standing a confirmation is decided against, and the Academy's voiding."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.submissions.domain import confirmations as rules
from services.submissions.service import Submissions
from services.submissions.tables import campaigns, confirmations, members, schools
from shared.eventstore import Context

MAX_MERGES = 16
"""How many successors a chain of mergers is followed through (a guard against a cycle in bad data)."""


def stream(year: int, school_id: str, copy: int) -> str:
    """Return the stream of one confirmed copy of a school's Form 09 in a year."""
    return f"confirmation-{year}-{school_id}-{copy}"


def standing(conn: sa.Connection, year: int, school_id: str, copy: int) -> rules.Standing:
    """Return what the registry view and the state know of a school's Form 09 copy in a year."""
    chain: list[dict[str, Any]] = []
    current: str | None = school_id
    while current is not None and len(chain) < MAX_MERGES:
        row = conn.execute(schools.select().where(schools.c.school_id == current)).mappings().first()
        if row is None or not row["name"]:  # unknown, or an end read before its registration
            break
        chain.append(dict(row))
        current = row["merged_into"]
    year_known = conn.execute(sa.select(campaigns.c.year).where(campaigns.c.year == year)).first()
    takes_part = conn.execute(
        sa.select(members.c.cluster_id).where((members.c.year == year) & (members.c.school_id == school_id))
    ).first()
    confirmed_by = conn.execute(
        sa.select(confirmations.c.confirmed_by).where(
            (confirmations.c.year == year)
            & (confirmations.c.school_id == school_id)
            & (confirmations.c.copy == copy)
        )
    ).scalar()
    return rules.Standing(chain, year_known is not None, takes_part is not None, confirmed_by)


def void_confirmation(
    service: Submissions, year: int, school_id: str, copy: int, reason: str, context: Context
) -> dict[str, Any]:
    """Void a confirmation recorded in error, with a reason, so the rightful system's can be recorded."""
    with service.transaction() as conn:
        place = stream(year, school_id, copy)
        event = rules.void(year, school_id, copy, reason, standing(conn, year, school_id, copy).confirmed_by)
        service.record(conn, place, [event], context, service.store.stream_version(conn, place))
        return dict(event.data)

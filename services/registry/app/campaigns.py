"""Campaign use cases: open a year's campaign, amend it, extend a deadline, and the queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from services.registry.domain import campaigns as rules
from services.registry.domain.campaigns import campaign_stream
from services.registry.service import Registry
from services.registry.tables import campaigns, cluster_members, clusters
from shared.errors import Conflict, NotFound, RuleBroken
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork


def open_campaign(registry: UnitOfWork, content: dict[str, Any], context: Context) -> dict[str, Any]:
    """Open a year's campaign; a year has one campaign."""
    event = rules.open_campaign(content, registry.clock())
    year = content["year"]
    with registry.transaction() as conn:
        if conn.execute(sa.select(campaigns.c.year).where(campaigns.c.year == year)).first():
            raise Conflict(
                f"the {year} campaign is already open: amend it", {"year": year}, "campaign_exists"
            )
        registry.record(conn, campaign_stream(year), [event], context, expected_version=0)
        return campaign_row(conn, year)


def carried(
    registry: Registry, year: int, from_year: int, theme: str | None = None, legal_basis: str | None = None
) -> dict[str, Any]:
    """Return the content an earlier year's campaign gives a new year (its theme kept unless given)."""
    previous = get_campaign(registry, from_year)["content"]
    return rules.carried_into(previous, year, theme or previous["theme"], legal_basis)


def amend_campaign(
    registry: UnitOfWork, year: int, content: dict[str, Any], expected_version: int | None, context: Context
) -> dict[str, Any]:
    """Replace a campaign's content, until its first deadline."""
    with registry.transaction() as conn:
        current = campaign_row(conn, year)
        event = rules.amend(current["content"], content, registry.clock())
        registry.record(conn, campaign_stream(year), [event], context, expected_version)
        return campaign_row(conn, year)


def extend_deadline(
    registry: UnitOfWork,
    year: int,
    code: str,
    due: date,
    reason: str,
    context: Context,
    filer_id: str | None = None,
) -> dict[str, Any]:
    """Move one deadline of a campaign later, for everyone or for one filer that owes it that year."""
    with registry.transaction() as conn:
        content = campaign_row(conn, year)["content"]
        if filer_id is not None:
            _check_filer(conn, year, rules.deadline_filer(content, code), filer_id)
        event = rules.extend_deadline(content, code, due, reason, filer_id)
        registry.record(conn, campaign_stream(year), [event], context)
        return campaign_row(conn, year)


def _check_filer(conn: sa.Connection, year: int, filer: str | None, filer_id: str) -> None:
    """Refuse an extension for a filer that does not owe the deadline in that year."""
    if filer == "school":
        owes = sa.select(cluster_members.c.school_id).where(
            (cluster_members.c.year == year) & (cluster_members.c.school_id == filer_id)
        )
    else:
        owes = sa.select(clusters.c.cluster_id).where(
            (clusters.c.year == year) & (clusters.c.cluster_id == filer_id)
        )
    if filer is not None and conn.execute(owes).first() is None:
        raise RuleBroken(
            f"{filer_id} does not file this deadline in {year}",
            {"filer_id": filer_id, "year": year},
            "not_a_filer",
        )


def get_campaign(registry: Registry, year: int) -> dict[str, Any]:
    """Return a year's campaign."""
    with registry.reader.connect() as conn:
        return campaign_row(conn, year)


def list_campaigns(registry: Registry) -> list[dict[str, Any]]:
    """Return every campaign, newest year first."""
    with registry.reader.connect() as conn:
        rows = conn.execute(campaigns.select().order_by(campaigns.c.year.desc())).mappings()
        return [dict(row) for row in rows]


def campaign_row(conn: sa.Connection, year: int) -> dict[str, Any]:
    """Return a year's campaign row; an unknown year is not found."""
    row = conn.execute(campaigns.select().where(campaigns.c.year == year)).mappings().first()
    if row is None:
        raise NotFound(f"no campaign for {year}", {"year": year})
    return dict(row)

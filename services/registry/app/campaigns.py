"""Campaign use cases: open a year's campaign, amend it, extend a deadline, and the queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from services.registry.domain import campaigns as rules
from services.registry.domain.campaigns import campaign_stream
from services.registry.service import Registry
from services.registry.tables import campaigns
from shared.errors import Conflict, NotFound
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork


def open_campaign(registry: UnitOfWork, content: dict[str, Any], context: Context) -> dict[str, Any]:
    """Open a year's campaign; a year has one campaign."""
    event = rules.open_campaign(content)
    year = content["year"]
    with registry.transaction() as conn:
        if conn.execute(sa.select(campaigns.c.year).where(campaigns.c.year == year)).first():
            raise Conflict(
                f"the {year} campaign is already open: amend it", {"year": year}, "campaign_exists"
            )
        registry.record(conn, campaign_stream(year), [event], context, expected_version=0)
        return campaign_row(conn, year)


def open_from(
    registry: Registry, year: int, from_year: int, theme: str, legal_basis: str | None, context: Context
) -> dict[str, Any]:
    """Open a year's campaign as a copy of an earlier year's, its deadlines moved into the new year."""
    return open_campaign(registry, carried(registry, year, from_year, theme, legal_basis), context)


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
    registry: UnitOfWork, year: int, code: str, due: date, reason: str, context: Context
) -> dict[str, Any]:
    """Move one deadline of a campaign later."""
    with registry.transaction() as conn:
        event = rules.extend_deadline(campaign_row(conn, year)["content"], code, due, reason)
        registry.record(conn, campaign_stream(year), [event], context)
        return campaign_row(conn, year)


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

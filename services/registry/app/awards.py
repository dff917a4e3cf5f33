"""Award use cases: the proposals before the Academy, its decision, and the award register."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry.app import visibility
from services.registry.app.campaigns import campaign_row
from services.registry.app.lookups import absorbed
from services.registry.domain import awards as rules
from services.registry.domain.awards import DecideAwards, awards_stream
from services.registry.service import Registry
from services.registry.tables import award_decisions, award_proposals, awards, clusters, schools
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork


def proposals_of(registry: Registry, principal: Principal, year: int) -> dict[str, Any]:
    """Return the year's proposals the caller reads (a cluster's, or all), the quotas, whether decided.

    Like scoring's proposals, they are read as a cluster's whole: by the Academy and operators, and by a
    cluster head for its own cluster; a school or a province reads the outcome in the decision.
    """
    with registry.reader.connect() as conn:
        campaign = campaign_row(conn, year)
        scope = visibility.scope(conn, principal)
        if not scope.everything and not scope.clusters:
            raise Forbidden("you may read the proposals of your own cluster only", {"year": year})
        rows = [r for r in _proposals(conn, year) if scope.cluster(r["cluster_id"])]
        return {
            "year": year,
            "quotas": rules.quotas(campaign["content"], _clusters(conn, year)),
            "proposals": rows,
            "decided": _decision(conn, year) is not None,
        }


def decide_awards(registry: UnitOfWork, command: DecideAwards, context: Context) -> dict[str, Any]:
    """Record the year's decision: AwardsDecided and an AwardGranted per school awarded."""
    with registry.transaction() as conn:
        campaign = campaign_row(conn, command.year)
        proposals = _proposals(conn, command.year)
        named = {p["school_id"] for p in proposals}
        every = {
            r["school_id"]: dict(r)
            for r in conn.execute(schools.select().where(schools.c.school_id.in_(named))).mappings()
        }
        events = rules.decide(
            command,
            campaign["content"],
            proposals,
            every,
            _clusters(conn, command.year),
            _decision(conn, command.year) is not None,
        )
        registry.record(conn, awards_stream(command.year), events, context, expected_version=0)
        return _decision(conn, command.year) or {}


def decision_of(registry: Registry, principal: Principal, year: int) -> dict[str, Any]:
    """Return the year's decision with the verdicts on the schools the caller reads; 404 until issued."""
    with registry.reader.connect() as conn:
        found = _decision(conn, year)
        scope = visibility.scope(conn, principal)
    if found is None:
        raise NotFound(f"the awards of {year} are not decided yet", {"year": year}, "not_decided")
    verdicts = [v for v in found["verdicts"] if scope.school(v["school_id"], v.get("cluster_id"))]
    return {**found, "verdicts": verdicts}


def register(
    registry: Registry, principal: Principal, year: int | None = None, school_id: str | None = None
) -> list[dict[str, Any]]:
    """Return the award register the caller reads, by year then school, each under its carrier today.

    Asked for one school, the register holds its own awards and those of the schools merged into it,
    each still named as the school that received it.
    """
    with registry.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        query = (
            sa.select(awards, schools.c.name.label("school_name"))
            .join(schools, schools.c.school_id == awards.c.school_id)
            .order_by(awards.c.year.desc(), awards.c.award.desc(), schools.c.name)
        )
        if year is not None:
            query = query.where(awards.c.year == year)
        if school_id is not None:
            query = query.where(awards.c.school_id.in_(absorbed(conn, school_id)))
        named = conn.execute(sa.select(clusters.c.cluster_id, clusters.c.name))
        names = {r.cluster_id: r.name for r in named}
        successors = {
            r.school_id: r.successor_id
            for r in conn.execute(sa.select(schools.c.school_id, schools.c.successor_id))
        }
        entries = []
        for row in conn.execute(query).mappings():
            if not scope.school(row["school_id"], row["cluster_id"]):
                continue
            entry = dict(row)
            entry["cluster_name"] = names.get(entry["cluster_id"], "")
            entry["held_by"] = _carrier(successors, entry["school_id"])
            entries.append(entry)
        return entries


def _carrier(successors: dict[str, str | None], school_id: str) -> str:
    """Return the school carrying a school's record today: itself, or its successor's successor ..."""
    current, seen = school_id, set()
    while (successor := successors.get(current)) is not None and current not in seen:
        seen.add(current)
        current = successor
    return current


def _proposals(conn: sa.Connection, year: int) -> list[dict[str, Any]]:
    query = (
        award_proposals.select()
        .where(award_proposals.c.year == year)
        .order_by(award_proposals.c.award.desc(), award_proposals.c.cluster_id, award_proposals.c.rank)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def _clusters(conn: sa.Connection, year: int) -> int:
    return int(conn.execute(sa.select(sa.func.count()).where(clusters.c.year == year)).scalar() or 0)


def _decision(conn: sa.Connection, year: int) -> dict[str, Any] | None:
    row = conn.execute(award_decisions.select().where(award_decisions.c.year == year)).mappings().first()
    return dict(row) if row else None

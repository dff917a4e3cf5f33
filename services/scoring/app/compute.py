"""Compute a cluster's results from the facts and publish those that changed, with a higher revision."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.scoring.domain import rules
from services.scoring.tables import (
    campaigns,
    exemptions,
    filings,
    ineligible,
    members,
    missed,
    results,
    schools,
)
from shared.eventstore import Context, NewEvent
from shared.service import ServiceContext

SCORER = Context(actor="system:scoring")
Json = dict[str, Any]


def cluster_results(
    conn: sa.Connection, year: int, cluster_id: str
) -> dict[tuple[str, str], tuple[str, Json]]:
    """Return every result of a cluster for a year: (kind, subject) -> (event type, body without revision)."""
    content = conn.execute(sa.select(campaigns.c.content).where(campaigns.c.year == year)).scalar()
    if content is None:
        return {}
    rows = conn.execute(
        sa.select(members.c.school_id, schools.c.kind, schools.c.code)
        .join(schools, schools.c.school_id == members.c.school_id, isouter=True)
        .where((members.c.year == year) & (members.c.cluster_id == cluster_id))
    ).all()
    cluster_filings = [
        dict(r)
        for r in conn.execute(
            filings.select().where((filings.c.year == year) & (filings.c.cluster_id == cluster_id))
        ).mappings()
    ]
    missed_by = _grouped(conn, missed, year)
    exempt_by = _grouped(conn, exemptions, year)
    not_eligible = set(
        conn.execute(sa.select(ineligible.c.school_id).where(ineligible.c.year == year)).scalars()
    )
    inspections = [f for f in cluster_filings if f["form"] == "KIEM_TRA"]
    out: dict[tuple[str, str], tuple[str, Json]] = {}
    cards, targets, codes = {}, {}, {}
    for school_id, kind, code in rows:
        own = [f for f in cluster_filings if f["filer_id"] == school_id]
        card = rules.score_card(
            content,
            kind or "provincial",
            own,
            [i for i in inspections if i["payload"]["inspected_school_id"] == school_id],
            missed_by.get(school_id, ()),
            exempt_by.get(school_id, ()),
            school_id not in not_eligible,
        )
        report = next((f for f in own if f["form"] == "04"), None)
        targets[school_id] = rules.evaluate_targets(content, report["payload"]["figures"] if report else None)
        cards[school_id], codes[school_id] = card, code or school_id
        out[("school_score", school_id)] = (
            "SchoolScoreComputed",
            {"year": year, "school_id": school_id, "cluster_id": cluster_id, **card},
        )
        out[("targets", school_id)] = (
            "TargetsEvaluated",
            {"year": year, "school_id": school_id, "targets": targets[school_id]},
        )
    table = rules.cluster_table(cards, targets, codes)
    out[("score_table", cluster_id)] = (
        "ScoresComputed",
        {"year": year, "cluster_id": cluster_id, "tie_break": rules.TIE_BREAK, "table": table},
    )
    dossier = next((f for f in cluster_filings if f["form"] == "HO_SO_CUM"), None)
    ballots = dossier["payload"]["ballots"] if dossier else []
    out[("proposals", cluster_id)] = (
        "AwardProposalDrafted",
        {"year": year, "cluster_id": cluster_id, "proposals": rules.award_proposals(content, table, ballots)},
    )
    return out


def refresh_cluster(
    service: ServiceContext, conn: sa.Connection, year: int, cluster_id: str, publish: bool
) -> int:
    """Recompute a cluster's results; store them, and publish those that differ from the last published."""
    published = 0
    for (kind, subject), (event_type, body) in cluster_results(conn, year, cluster_id).items():
        stream = f"{kind}-{year}-{subject}"
        where = (results.c.year == year) & (results.c.kind == kind) & (results.c.subject_id == subject)
        current = conn.execute(sa.select(results.c.body, results.c.revision).where(where)).first()
        revision = service.store.stream_version(conn, stream)
        if publish and _last_published(service, conn, stream, revision) != body:
            service.record(
                conn, stream, [NewEvent(event_type, {**body, "revision": revision + 1})], SCORER, revision
            )
            revision += 1
            published += 1
        if current is None:
            conn.execute(
                results.insert().values(
                    year=year, kind=kind, subject_id=subject, revision=revision, body=body
                )
            )
        elif current.body != body or current.revision != revision:
            conn.execute(results.update().where(where).values(body=body, revision=revision))
    return published


def clusters_of_year(conn: sa.Connection, year: int) -> list[str]:
    """Return every cluster with members in a year."""
    return sorted(set(conn.execute(sa.select(members.c.cluster_id).where(members.c.year == year)).scalars()))


def _last_published(service: ServiceContext, conn: sa.Connection, stream: str, revision: int) -> Json | None:
    """Return the body of the latest published result of a stream, without its revision."""
    last = service.store.last(conn, stream) if revision else None
    if last is None:
        return None
    return {k: v for k, v in last.envelope.data.items() if k != "revision"}


def _grouped(conn: sa.Connection, table: sa.Table, year: int) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for code, filer in conn.execute(
        sa.select(table.c.deadline_code, table.c.filer_id).where(table.c.year == year)
    ):
        grouped.setdefault(filer, set()).add(code)
    return grouped

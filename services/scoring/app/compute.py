"""Compute a cluster's results from the facts and publish those that changed, with a higher revision."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.forms import DOSSIER_FORM, INSPECTION_FORM, YEAR_END_REPORT_FORM
from services.scoring.domain import rules
from services.scoring.tables import (
    campaigns,
    exemptions,
    filings,
    ineligible,
    members,
    missed,
    published,
    results,
    schools,
)
from shared.db import keyed_statements
from shared.eventstore import Context, NewEvent
from shared.service import ServiceContext
from shared.unit_of_work import UnitOfWork

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
    inspections = [f for f in cluster_filings if f["form"] == INSPECTION_FORM]
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
        report = next((f for f in own if f["form"] == YEAR_END_REPORT_FORM), None)
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
    dossier = next((f for f in cluster_filings if f["form"] == DOSSIER_FORM), None)
    ballots = dossier["payload"]["ballots"] if dossier else []
    out[("proposals", cluster_id)] = (
        "AwardProposalDrafted",
        {"year": year, "cluster_id": cluster_id, "proposals": rules.award_proposals(content, table, ballots)},
    )
    return out


def refresh_cluster(
    service: UnitOfWork, conn: sa.Connection, year: int, cluster_id: str, publish: bool
) -> int:
    """Recompute a cluster's results; store them, and publish those that differ from the last published."""
    computed = cluster_results(conn, year, cluster_id)
    subjects = {subject for _kind, subject in computed}
    last = _by_key(conn, published, year, subjects)
    stored = _by_key(conn, results, year, subjects)
    appends: list[tuple[str, int, list[NewEvent]]] = []
    memo: dict[str, list[dict[str, Any]]] = {"insert": [], "update": []}
    rows: dict[str, list[dict[str, Any]]] = {"insert": [], "update": []}
    for (kind, subject), (event_type, body) in computed.items():
        revision, last_body = last.get((kind, subject), (0, None))
        if publish and last_body != body:
            appends.append(
                (
                    f"{kind}-{year}-{subject}",
                    revision,
                    [NewEvent(event_type, {**body, "revision": revision + 1})],
                )
            )
            memo["update" if revision else "insert"].append(_row(year, kind, subject, revision + 1, body))
            revision += 1
        if stored.get((kind, subject)) != (revision, body):
            rows["update" if (kind, subject) in stored else "insert"].append(
                _row(year, kind, subject, revision, body)
            )
    if appends:
        service.record_many(conn, appends, SCORER)
    for table, changes in ((published, memo), (results, rows)):
        _write(conn, table, changes)
    return len(appends)


def _row(year: int, kind: str, subject: str, revision: int, body: Json) -> dict[str, Any]:
    return {"k_year": year, "k_kind": kind, "k_subject_id": subject, "v_revision": revision, "v_body": body}


def _write(conn: sa.Connection, table: sa.Table, changes: dict[str, list[dict[str, Any]]]) -> None:
    update, insert, _exists = keyed_statements(table, ("year", "kind", "subject_id"), ("revision", "body"))
    if changes["update"]:
        conn.execute(update, changes["update"])
    if changes["insert"]:
        conn.execute(insert, changes["insert"])


def _by_key(
    conn: sa.Connection, table: sa.Table, year: int, subjects: set[str]
) -> dict[tuple[str, str], tuple[int, Json]]:
    rows = conn.execute(
        sa.select(table.c.kind, table.c.subject_id, table.c.revision, table.c.body).where(
            (table.c.year == year) & table.c.subject_id.in_(subjects)
        )
    )
    return {(kind, subject): (revision, body) for kind, subject, revision, body in rows}


def refresh_every_cluster(service: UnitOfWork, conn: sa.Connection) -> int:
    """Recompute every cluster of every year; publish the results that changed, and say how many."""
    published = 0
    for year in conn.execute(sa.select(campaigns.c.year).order_by(campaigns.c.year)).scalars().all():
        for cluster_id in clusters_of_year(conn, year):
            published += refresh_cluster(service, conn, year, cluster_id, publish=True)
    return published


def clusters_of_year(conn: sa.Connection, year: int) -> list[str]:
    """Return every cluster with members in a year."""
    return sorted(set(conn.execute(sa.select(members.c.cluster_id).where(members.c.year == year)).scalars()))


def _grouped(conn: sa.Connection, table: sa.Table, year: int) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for code, filer in conn.execute(
        sa.select(table.c.deadline_code, table.c.filer_id).where(table.c.year == year)
    ):
        grouped.setdefault(filer, set()).add(code)
    return grouped


def remember_published(service: ServiceContext) -> int:
    """Fill what was last published per result from the service's own events (after a recovery).

    Each result is a stream ``{kind}-{year}-{subject}``; its newest event is what was published last.
    Return how many results are remembered.
    """
    events = service.metadata.tables["events"]
    newest = (
        sa.select(events.c.stream_id, sa.func.max(events.c.stream_version).label("version"))
        .group_by(events.c.stream_id)
        .subquery()
    )
    query = sa.select(events.c.stream_id, events.c.data).join(
        newest,
        (events.c.stream_id == newest.c.stream_id) & (events.c.stream_version == newest.c.version),
    )
    rows = []
    with service.transaction() as conn:
        for stream_id, data in conn.execute(query):
            kind, year, subject = stream_id.split("-", 2)
            body = {k: v for k, v in data.items() if k != "revision"}
            rows.append(_row(int(year), kind, subject, int(data["revision"]), body))
        conn.execute(published.delete())
        _write(conn, published, {"insert": rows, "update": []})
    return len(rows)

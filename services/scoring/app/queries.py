"""Reading results: score cards, score tables (now or as of a past moment), targets, proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.scoring.app.compute import cluster_results
from services.scoring.projections import facts
from services.scoring.tables import FACT_TABLES, campaigns, inputs, results, schools
from shared.db import create_engine
from shared.envelope import Envelope
from shared.errors import NotFound
from shared.service import ServiceContext

Json = dict[str, Any]
INPUTS_SOURCE = "scoring/inputs"
"""The source given to an input replayed from scoring's inputs log (its original envelope is not kept)."""


def result(service: ServiceContext, year: int, kind: str, subject_id: str) -> Json:
    """Return one latest result with its revision; unknown is not found."""
    with service.reader.connect() as conn:
        row = conn.execute(
            sa.select(results.c.body, results.c.revision).where(
                (results.c.year == year) & (results.c.kind == kind) & (results.c.subject_id == subject_id)
            )
        ).first()
    if row is None:
        raise NotFound(
            f"no {kind.replace('_', ' ')} for {subject_id} in {year}", {"year": year, "id": subject_id}
        )
    return {**row.body, "revision": row.revision}


def targets_report(service: ServiceContext, year: int, cluster_id: str | None) -> list[Json]:
    """Return every school's targets for a year (optionally of one cluster), with the school's name."""
    with service.reader.connect() as conn:
        rows = conn.execute(
            sa.select(results.c.subject_id, results.c.body, schools.c.name, schools.c.code)
            .join(schools, schools.c.school_id == results.c.subject_id, isouter=True)
            .where((results.c.year == year) & (results.c.kind == "targets"))
            .order_by(schools.c.code)
        ).all()
        if cluster_id is not None:
            table = result(service, year, "score_table", cluster_id)["table"]
            keep = {r["school_id"] for r in table}
            rows = [r for r in rows if r.subject_id in keep]
    return [
        {"school_id": r.subject_id, "code": r.code, "name": r.name, "targets": r.body["targets"]}
        for r in rows
    ]


def school_names(service: ServiceContext, school_ids: list[str]) -> dict[str, str]:
    """Return the names of schools."""
    with service.reader.connect() as conn:
        rows = conn.execute(
            sa.select(schools.c.school_id, schools.c.name).where(schools.c.school_id.in_(school_ids))
        )
        return {school_id: name for school_id, name in rows}


def band_names(service: ServiceContext, year: int) -> dict[str, str]:
    """Return the names of the year's bands by code (Hoàn thành xuất sắc nhiệm vụ for xuat_sac)."""
    with service.reader.connect() as conn:
        content = conn.execute(sa.select(campaigns.c.content).where(campaigns.c.year == year)).scalar()
    return {b["code"]: b.get("name") or b["code"] for b in (content or {}).get("bands", [])}


def score_table_as_of(service: ServiceContext, year: int, cluster_id: str, moment: datetime) -> Json:
    """Recompute a cluster's score table from the events received up to a moment (for disputes)."""
    scratch = create_engine("sqlite://")
    metadata = sa.MetaData()
    for table in FACT_TABLES:
        table.to_metadata(metadata)
    metadata.create_all(scratch)
    with service.reader.connect() as source, scratch.begin() as conn:
        rows = source.execute(
            sa.select(inputs.c.event_id, inputs.c.type, inputs.c.occurred_at, inputs.c.data)
            .where(inputs.c.occurred_at <= moment)
            .order_by(inputs.c.seq)
        )
        for event_id, event_type, occurred_at, data in rows:
            event = Envelope(event_type, INPUTS_SOURCE, "", data, id=event_id, time=occurred_at)
            facts.FACTS.apply(conn, event, dict(data))
        computed = cluster_results(conn, year, cluster_id)
    scratch.dispose()
    if ("score_table", cluster_id) not in computed:
        raise NotFound(
            f"no score table for {cluster_id} in {year} as of {moment.isoformat()}",
            {"cluster_id": cluster_id},
        )
    return {**computed[("score_table", cluster_id)][1], "as_of": moment.isoformat()}

"""The scoring composition root: database, event store, bus and the scoring consumer; nothing at import.

``rebuild_beside`` rebuilds the read model while the live one serves: the facts are replayed from the
earliest offset into a shadow database by a consumer group of their own; once it has caught up, one
transaction on the live database takes the scoring consumer's lock (so the live consumer waits), lets the
shadow read what arrived meanwhile, replaces the live facts, inputs and tracking rows with the shadow's,
and recomputes every cluster: results that changed are published with the next revision, the others stay.
Events the live consumer applies after the swap find their tracking row when the shadow had them already.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.scoring import contracts, tables
from services.scoring.app.compute import clusters_of_year, refresh_cluster
from services.scoring.app.rebuilds import Journal
from services.scoring.config import ScoringSettings
from services.scoring.projections.scoring import ScoringProjection
from services.scoring.service import Scoring
from shared import migrations
from shared.consumer import ConsumerRunner, Progress
from shared.db import serialise
from shared.service import build_context

MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: ScoringSettings) -> Scoring:
    """Return the scoring service's live dependencies."""
    return build_context(Scoring, settings, contracts.CATALOGUE, tables.metadata)


def migrate(settings: ScoringSettings) -> None:
    """Bring the scoring database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)


def consumers(service: Scoring) -> dict[str, ConsumerRunner]:
    """Return scoring's consumers by name."""
    return {"scoring": scoring_runner(service)}


def scoring_runner(service: Scoring, computing: bool = True, batch_size: int = 500) -> ConsumerRunner:
    """Return the runner that keeps the facts and results from registry and submissions events."""
    projection = ScoringProjection(service, computing)
    return ConsumerRunner(
        projection,
        service.engine,
        tables.processed_events,
        service.bus,
        contracts.CONSUMED,
        batch_size=batch_size,
    )


def rebuild(
    service: Scoring, timeout: float = 3600.0, batch_size: int = 2000, progress: Progress | None = None
) -> int:
    """Drop the read models, replay the facts, then compute every result once; publish only what changed."""
    runner = scoring_runner(service, computing=False, batch_size=batch_size)
    try:
        runner.rebuild(timeout, progress)
    finally:
        runner.close()
    published = 0
    with service.transaction() as conn:
        years = (
            conn.execute(tables.campaigns.select().with_only_columns(tables.campaigns.c.year)).scalars().all()
        )
        for year in years:
            for cluster_id in clusters_of_year(conn, year):
                published += refresh_cluster(service, conn, year, cluster_id, publish=True)
    return published


LIVE_CONSUMER = ScoringProjection.name


def rebuild_beside(service: Scoring, progress: Progress | None = None, timeout: float = 3600.0) -> int:
    """Rebuild the read model in a shadow database and swap it in; return how many results were published."""
    workdir = Path(tempfile.mkdtemp(prefix="scoring-shadow-"))
    common = replace(service.settings, database_url=f"sqlite:///{workdir / 'shadow.sqlite'}")
    shadow = build_context(
        Scoring, replace(service.config, common=common), contracts.CATALOGUE, tables.metadata
    )
    tables.metadata.create_all(shadow.engine)
    projection = ScoringProjection(shadow, computing=False)
    projection.name = (
        f"{LIVE_CONSUMER}-shadow-{uuid.uuid4().hex[:8]}"  # its own group, from the earliest offset
    )
    runner = ConsumerRunner(
        projection, shadow.engine, tables.processed_events, service.bus, contracts.CONSUMED, batch_size=2000
    )
    journal = Journal(service.engine)

    def report(done: int, total: int) -> None:
        journal.progress(done, total)
        if progress is not None:
            progress(done, total)

    try:
        runner.run_until_caught_up(timeout, report)
        journal.swapping()
        with service.engine.begin() as conn:
            serialise(conn, f"consumer:{LIVE_CONSUMER}")  # first, as the live consumer takes it first
            service.store.lock_writes(conn)
            runner.run_until_caught_up(timeout, report)
            _swap(conn, shadow.engine, projection.name)
            published = _recompute(service, conn)
        journal.finished(published)
        return published
    except BaseException as exc:
        journal.failed(exc)
        raise
    finally:
        runner.close()
        shadow.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _swap(conn: sa.Connection, shadow: sa.Engine, shadow_consumer: str) -> None:
    """Replace the live facts, inputs and scoring tracking rows with the shadow's, in the live transaction."""
    tracking = tables.processed_events
    with shadow.connect() as source:
        for table in (*tables.FACT_TABLES, tables.inputs):
            conn.execute(table.delete())
            query = sa.select(table)
            if table is tables.inputs:  # in their order; the live database numbers them anew
                query = sa.select(*(c for c in table.c if c.name != "seq")).order_by(table.c.seq)
            _copy(conn, table, [dict(r) for r in source.execute(query).mappings()])
        conn.execute(tracking.delete().where(tracking.c.consumer == LIVE_CONSUMER))
        rows = source.execute(sa.select(tracking).where(tracking.c.consumer == shadow_consumer)).mappings()
        _copy(conn, tracking, [{**r, "consumer": LIVE_CONSUMER} for r in rows])


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])


def _recompute(service: Scoring, conn: sa.Connection) -> int:
    """Recompute every cluster's results; publish the ones that changed (with rising revisions)."""
    published = 0
    years = conn.execute(sa.select(tables.campaigns.c.year)).scalars().all()
    for year in years:
        for cluster_id in clusters_of_year(conn, year):
            published += refresh_cluster(service, conn, year, cluster_id, publish=True)
    return published

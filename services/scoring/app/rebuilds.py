"""Rebuilding scoring's read model from the topics: in place, or beside the live one, with its journal.

``rebuild`` empties the facts and results, replays the facts, then computes every result once.
``rebuild_beside`` rebuilds while the live model serves: the facts are replayed from the earliest offset
into a shadow database by a consumer group of their own; once it has caught up, one transaction on the
live database takes the scoring consumer's lock (so the live consumer waits), lets the shadow read what
arrived meanwhile, replaces the live facts, inputs and tracking rows with the shadow's, and recomputes
every cluster: results that changed are published with the next revision, the others stay. Events the
live consumer reads after the swap are below its positions (the shadow's) when the shadow had them. The
journal keeps each rebuild's state and progress for the CLI and the console.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.scoring import contracts, tables
from services.scoring.app.compute import refresh_every_cluster
from services.scoring.policies import scoring as policy
from services.scoring.service import Scoring
from services.scoring.tables import rebuilds
from shared.consumer import Progress
from shared.db import serialise
from shared.service import build_context

STATES = ("replaying", "swapping", "done", "failed")


class Journal:
    """One rebuild's row: written at most twice a second while replaying, never inside the swap."""

    def __init__(self, engine: sa.Engine, every: float = 0.5):
        self.engine = engine
        self.every = every
        self.rebuild_id = f"rb_{uuid.uuid4().hex[:12]}"
        self._written = 0.0
        self._held = False
        with engine.begin() as conn:
            conn.execute(
                rebuilds.insert().values(
                    rebuild_id=self.rebuild_id,
                    started_at=datetime.now(UTC),
                    state="replaying",
                    done=0,
                    total=0,
                )
            )

    def progress(self, done: int, total: int) -> None:
        """Record how far the replay is (skipped while the swap holds the live database)."""
        now = time.monotonic()
        if self._held or (now - self._written < self.every and done < total):
            return
        self._written = now
        self._update(done=done, total=total)

    def swapping(self) -> None:
        """Say the swap began; nothing is written again until it ends."""
        self._update(state="swapping")
        self._held = True

    def finished(self, published: int) -> None:
        """Record the end: the replay complete and how many results the swap published."""
        self._held = False
        with self.engine.begin() as conn:
            total = conn.execute(sa.select(rebuilds.c.total).where(rebuilds.c.rebuild_id == self.rebuild_id))
            count = total.scalar() or 0
        self._update(state="done", published=published, done=count, finished_at=datetime.now(UTC))

    def failed(self, error: BaseException) -> None:
        """Record that the rebuild stopped, and why; the live read model was left as it was."""
        self._held = False
        self._update(
            state="failed", error=f"{type(error).__name__}: {error}"[:2000], finished_at=datetime.now(UTC)
        )

    def _update(self, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(rebuilds.update().where(rebuilds.c.rebuild_id == self.rebuild_id).values(**values))


def recent(engine: sa.Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Return the latest rebuilds, newest first."""
    query = rebuilds.select().order_by(rebuilds.c.started_at.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def rebuild(
    service: Scoring, timeout: float = 3600.0, batch_size: int = 2000, progress: Progress | None = None
) -> int:
    """Drop the read models, replay the facts, then compute every result once; publish only what changed."""
    runner = policy.runner(service, service.bus, computing=False, batch_size=batch_size)
    try:
        runner.rebuild(timeout, progress)
    finally:
        runner.close()
    with service.transaction() as conn:
        return refresh_every_cluster(service, conn)


LIVE_CONSUMER = policy.ScoringPolicy.name


def rebuild_beside(service: Scoring, progress: Progress | None = None, timeout: float = 3600.0) -> int:
    """Rebuild the read model in a shadow database and swap it in; return how many results were published."""
    workdir = Path(tempfile.mkdtemp(prefix="scoring-shadow-"))
    common = replace(service.settings, database_url=f"sqlite:///{workdir / 'shadow.sqlite'}")
    shadow = build_context(
        Scoring, replace(service.config, common=common), contracts.CATALOGUE, tables.metadata
    )
    tables.metadata.create_all(shadow.engine)
    shadow_consumer = f"{LIVE_CONSUMER}-shadow-{uuid.uuid4().hex[:8]}"  # its own group, from the earliest
    runner = policy.runner(shadow, service.bus, computing=False, batch_size=2000, name=shadow_consumer)
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
            _swap(conn, shadow.engine, shadow_consumer)
            published = refresh_every_cluster(service, conn)
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
    """Replace the live facts, inputs, and the scoring consumer's positions and tracking rows with the
    shadow's, in the live transaction."""
    tracking = tables.processed_events
    positions = tables.consumer_positions
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
        conn.execute(positions.delete().where(positions.c.consumer == LIVE_CONSUMER))
        rows = source.execute(sa.select(positions).where(positions.c.consumer == shadow_consumer)).mappings()
        _copy(conn, positions, [{**r, "consumer": LIVE_CONSUMER} for r in rows])


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])

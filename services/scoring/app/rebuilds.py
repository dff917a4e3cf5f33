"""The journal of rebuilds beside the live read model: state and progress, read by the CLI and console."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.scoring.tables import rebuilds

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

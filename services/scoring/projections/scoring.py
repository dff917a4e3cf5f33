"""The scoring projection: registry and submissions events become facts, and each affected cluster's
results are recomputed once per batch and published when they changed."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from services.scoring import facts
from services.scoring.app.compute import clusters_of_year, refresh_cluster
from services.scoring.contracts import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from services.scoring.tables import FACT_TABLES, inputs, results
from shared.consumer import Consumed
from shared.service import ServiceContext


class ScoringProjection:
    """Facts, inputs log and results of the scoring service."""

    name = "scoring"
    topics = (REGISTRY_TOPIC, SUBMISSIONS_TOPIC)

    def __init__(self, service: ServiceContext, publishing: bool = True):
        self.service = service
        self.publishing = publishing

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Apply one event (see apply_batch)."""
        self.apply_batch(conn, [consumed])

    def apply_batch(self, conn: sa.Connection, batch: Sequence[Consumed]) -> None:
        """Record the inputs, update the facts, then refresh each affected cluster once."""
        affected: set[tuple[int, str | None]] = set()
        if batch:
            conn.execute(
                inputs.insert(),
                [
                    {
                        "event_id": c.event.id,
                        "type": c.event.type,
                        "occurred_at": c.event.time,
                        "data": dict(c.event.data),
                    }
                    for c in batch
                ],
            )
        for consumed in batch:
            hit = facts.APPLY[consumed.event.type](conn, dict(consumed.event.data))
            if hit is not None:
                affected.add(hit)
        clusters: set[tuple[int, str]] = set()
        for year, cluster_id in affected:
            if cluster_id is None:
                clusters.update((year, c) for c in clusters_of_year(conn, year))
            else:
                clusters.add((year, cluster_id))
        for year, cluster_id in sorted(clusters):
            refresh_cluster(self.service, conn, year, cluster_id, self.publishing)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the facts, the inputs log and the results (published events stay in the store)."""
        for table in (*FACT_TABLES, inputs, results):
            conn.execute(table.delete())

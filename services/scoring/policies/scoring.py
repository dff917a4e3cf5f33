"""The scoring projection: registry and submissions events become facts, and each affected cluster's
results are recomputed once per batch and published when they changed.

In a rebuild (``computing=False``) only the facts are replayed; the results are computed once at the
end (services.scoring.app.rebuilds), which is what makes a replay fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from services.forms import filing_events
from services.scoring import contracts
from services.scoring.app.compute import clusters_of_year, refresh_cluster
from services.scoring.projections import facts
from services.scoring.tables import FACT_TABLES, inputs, processed_events, results
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.bus import Bus
from shared.consumer import Consumed, ConsumerOptions, ConsumerRunner
from shared.service import ServiceContext

FILINGS = frozenset((*filing_events(), "SubmissionAmended"))


def _bulk_kind(event_type: str) -> str | None:
    if event_type in FILINGS:
        return "filing"
    return event_type if event_type in facts.BULK else None


def _apply_run(conn: sa.Connection, run: Sequence[Consumed]) -> set[tuple[int, str | None]]:
    """Apply a run of events of one bulk kind at once; return the (year, cluster) they affect."""
    datas = [dict(c.data) for c in run]
    if _bulk_kind(run[0].event.type) == "filing":
        return facts.filed_many(conn, datas)
    return set(facts.keep_many(conn, run[0].event.type, datas))


class ScoringPolicy:
    """Facts, inputs log and results of the scoring service."""

    name = "scoring"
    topics = (REGISTRY_TOPIC, SUBMISSIONS_TOPIC)
    options = ConsumerOptions(serialised=True)  # results are computed from all facts: one at a time
    handlers = facts.FACTS

    def __init__(self, service: ServiceContext, computing: bool = True):
        self.service = service
        self.computing = computing

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
                        "data": dict(c.data),
                    }
                    for c in batch
                ],
            )
        run: list[Consumed] = []  # consecutive events of one bulk type are applied together, in order
        for consumed in [*batch, None]:
            kind = None if consumed is None else _bulk_kind(consumed.event.type)
            if run and (consumed is None or kind != _bulk_kind(run[0].event.type)):
                affected |= _apply_run(conn, run)
                run = []
            if consumed is None:
                break
            if kind is not None:
                run.append(consumed)
                continue
            hit = facts.FACTS.apply(conn, consumed.event, dict(consumed.data))
            if hit is not None:
                affected.add(hit)
        if not self.computing:
            return
        clusters: set[tuple[int, str]] = set()
        for year, cluster_id in affected:
            if cluster_id is None:
                clusters.update((year, c) for c in clusters_of_year(conn, year))
            else:
                clusters.add((year, cluster_id))
        for year, cluster_id in sorted(clusters):
            refresh_cluster(self.service, conn, year, cluster_id, publish=True)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the facts, the inputs log and the results (published events stay in the store)."""
        for table in (*FACT_TABLES, inputs, results):
            conn.execute(table.delete())


def runner(
    service: ServiceContext,
    bus: Bus,
    computing: bool = True,
    batch_size: int = 500,
    name: str = ScoringPolicy.name,
) -> ConsumerRunner:
    """Return a runner of the scoring policy on a service's database, fed from a bus, as a named group."""
    policy = ScoringPolicy(service, computing)
    policy.name = name
    return ConsumerRunner(
        policy, service.engine, processed_events, bus, contracts.CONSUMED, batch_size=batch_size
    )

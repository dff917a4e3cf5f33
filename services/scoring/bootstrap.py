"""The scoring composition root: database, event store, bus and the scoring consumer; nothing at import."""

from __future__ import annotations

from pathlib import Path

from services.scoring import contracts, tables
from services.scoring.app.compute import clusters_of_year, refresh_cluster
from services.scoring.config import ScoringSettings
from services.scoring.projections.scoring import ScoringProjection
from services.scoring.service import Scoring
from shared import migrations
from shared.consumer import ConsumerRunner, Progress
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

"""The scoring composition root: database, event store, bus and the scoring consumer; nothing at import.

Rebuilding the read model (in place, or beside the live one) is a use case of ``app/rebuilds.py``.
"""

from __future__ import annotations

from pathlib import Path

from services.scoring import contracts, tables
from services.scoring.app import compute, rebuilds
from services.scoring.config import ScoringSettings
from services.scoring.policies import scoring as policy
from services.scoring.service import Scoring
from shared import migrations
from shared.consumer import ConsumerRunner
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
    return policy.runner(service, service.bus, computing, batch_size)


def recover_consumers(service: Scoring) -> list[str]:
    """After a recovery: remember what was last published of each result (from the events brought
    back), then replay the facts and compute every result once, publishing only what differs."""
    remembered = compute.remember_published(service)
    published = rebuilds.rebuild(service)
    return [
        f"results last published, remembered: {remembered}",
        f"scoring: rebuilt, {published} results published anew",
    ]

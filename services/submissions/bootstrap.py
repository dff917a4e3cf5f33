"""The submissions composition root: database, event store, bus and its consumers; nothing at import."""

from __future__ import annotations

from pathlib import Path

from services.submissions import contracts, tables
from services.submissions.config import SubmissionsSettings
from services.submissions.policies.inbound import InboundConfirmations
from services.submissions.projections.registry_view import RegistryView
from services.submissions.service import Submissions
from services.submissions.state import STATE
from shared import migrations
from shared.consumer import ConsumerRunner
from shared.service import build_context

MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: SubmissionsSettings) -> Submissions:
    """Return the submissions service's live dependencies."""
    return build_context(Submissions, settings, contracts.CATALOGUE, tables.metadata, STATE)


def migrate(settings: SubmissionsSettings) -> None:
    """Bring the submissions database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)


def consumers(service: Submissions) -> dict[str, ConsumerRunner]:
    """Return submissions' consumers by name (inbound only when integration keys are configured)."""
    return {
        "registry-view": registry_view_runner(service),
        **({"inbound": inbound_runner(service)} if service.config.integration_keys else {}),
    }


def registry_view_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that keeps the registry view."""
    return ConsumerRunner(
        RegistryView(), service.engine, tables.processed_events, service.bus, contracts.REGISTRY_EVENTS
    )


def inbound_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that takes Form 09 confirmations from the integration topic."""
    projection = InboundConfirmations(service, service.config.integration_keys)
    return ConsumerRunner(
        projection, service.engine, tables.processed_events, service.bus, contracts.INBOUND_EVENTS
    )


def restore_keys(service: Submissions) -> list[str]:
    """After a recovery from the topic, bring the personal-data keys back from their sealed export."""
    from services.submissions.app.keys import restore_keys as restore

    return restore(service)

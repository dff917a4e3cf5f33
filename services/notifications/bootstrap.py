"""The notifications composition root: database, bus and consumer runners; nothing at import."""

from __future__ import annotations

from pathlib import Path

from services.notifications import contracts, tables
from services.notifications.projections.audit import AuditTrail
from shared import migrations
from shared.consumer import ConsumerRunner
from shared.service import ServiceContext, build_context
from shared.settings import CommonSettings

Notifications = ServiceContext
MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: CommonSettings) -> Notifications:
    """Return the notifications service's live dependencies."""
    return build_context(settings, contracts.CATALOGUE, tables.metadata)


def migrate(settings: CommonSettings) -> None:
    """Bring the notifications database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.database_url)


def audit_runner(service: Notifications) -> ConsumerRunner:
    """Return the consumer runner that keeps the audit trail."""
    return ConsumerRunner(
        AuditTrail(), service.engine, tables.processed_events, service.bus, service.catalogue
    )

"""The notifications composition root: database, bus, consumers, mailer and webhook deliverer."""

from __future__ import annotations

from pathlib import Path

from services.notifications import contracts, tables
from services.notifications.app.mailer import Mailer
from services.notifications.app.webhooks import Deliverer
from services.notifications.config import NotificationsSettings
from services.notifications.projections.audit import AuditTrail
from services.notifications.projections.notices import NoticesProjection
from services.notifications.service import Notifications
from shared import migrations
from shared.catalogue import Catalogue
from shared.consumer import ConsumerRunner
from shared.service import build_context

MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: NotificationsSettings) -> Notifications:
    """Return the notifications service's live dependencies."""
    return build_context(Notifications, settings, contracts.CATALOGUE, tables.metadata)


def migrate(settings: NotificationsSettings) -> None:
    """Bring the notifications database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)


def consumers(service: Notifications) -> dict[str, ConsumerRunner]:
    """Return notifications' consumers by name."""
    return {"audit": audit_runner(service), "notices": notices_runner(service)}


def audit_runner(service: Notifications) -> ConsumerRunner:
    """Return the runner that keeps the audit trail: every event as it was sent, whatever its type."""
    return ConsumerRunner(AuditTrail(), service.engine, tables.processed_events, service.bus, Catalogue())


def notices_runner(service: Notifications) -> ConsumerRunner:
    """Return the runner that keeps what notices need and makes receipt, overdue and results notices."""
    projection = NoticesProjection(service.config.academy_mailbox, service.clock)
    return ConsumerRunner(
        projection, service.engine, tables.processed_events, service.bus, contracts.CONSUMED
    )


def mailer(service: Notifications) -> Mailer:
    """Return the SMTP mailer of pending notices."""
    config = service.config
    return Mailer(service.engine, service.clock, config.smtp_host, config.smtp_port, config.mail_from)


def deliverer(service: Notifications) -> Deliverer:
    """Return the webhook deliverer."""
    config = service.config
    return Deliverer(
        service.engine,
        service.clock,
        config.webhook_pause_after,
        config.webhook_timeout,
        service.secrets,
        config.webhook_allowed,
    )

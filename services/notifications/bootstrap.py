"""The notifications composition root: database, bus, consumers, mailer and webhook deliverer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from services.notifications import contracts, tables
from services.notifications.app.mailer import Mailer, Opener
from services.notifications.app.webhooks import Deliverer
from services.notifications.config import NotificationsSettings
from services.notifications.projections.audit import AuditTrail
from services.notifications.projections.notices import NoticesProjection
from services.notifications.service import Notifications
from shared import migrations
from shared.auth import SERVICE
from shared.catalogue import Catalogue
from shared.consumer import ConsumerRunner
from shared.service import build_context
from shared.web.gateway import Gateway

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
    projection = NoticesProjection(service.config.academy_mailbox, service.clock, service.config.mail_store)
    return ConsumerRunner(
        projection, service.engine, tables.processed_events, service.bus, contracts.CONSUMED
    )


def mailer(service: Notifications) -> Mailer:
    """Return the SMTP mailer of pending notices."""
    config = service.config
    return Mailer(
        service.engine,
        service.clock,
        config.smtp_host,
        config.smtp_port,
        config.mail_from,
        opener=key_opener(service),
    )


def key_opener(service: Notifications) -> Opener:
    """Return how sealed addresses are opened: submissions' key API, called as a service of the suite.

    The keys never leave submissions, so an erasure there holds at once for every copy of a value here.
    """
    gateway = Gateway({"submissions": service.config.submissions_url}, secret=service.settings.jwt_secret)

    def opened(tokens: Sequence[str]) -> Mapping[str, str]:
        caller = gateway.as_person("notifications", SERVICE, None)
        answer = caller.post("submissions", "/personal/open", {"tokens": list(tokens)})
        values: Mapping[str, str] = answer["values"]
        return values

    return opened


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

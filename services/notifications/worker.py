"""The notifications background process: audit trail, notices, reminders, e-mail and webhooks.

The two consumers split the topics' partitions among the replicas; reminders, the mailer and the
webhook deliverer each run in one replica at a time, under a lease, so nothing is sent twice.
"""

from __future__ import annotations

import threading

from services.notifications.app.chain import watch_chain
from services.notifications.app.reminders import run_reminders
from services.notifications.bootstrap import bootstrap, consumers, deliverer, mailer
from services.notifications.config import load_settings
from services.notifications.service import Notifications
from shared.process import Loop, serve
from shared.service import from_environment


def loops(service: Notifications) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    config = service.config
    mail, hooks = mailer(service), deliverer(service)

    def reminders(stop: threading.Event) -> None:
        run_reminders(service.engine, service.clock, config.reminder_offsets_days, stop, config.loop_interval)

    return {
        **consumers(service),
        "reminders": service.singleton("reminders", reminders),
        "mailer": service.singleton("mailer", lambda stop: mail.run(stop, config.loop_interval)),
        "webhooks": service.singleton("webhooks", hooks.run, on_close=hooks.close),
        "audit-chain": service.singleton(
            "audit-chain", lambda stop: watch_chain(service.engine, stop, config.audit_check_interval)
        ),
    }


def main() -> None:
    """Run the worker until SIGTERM or SIGINT."""
    serve("notifications-worker", from_environment(load_settings, bootstrap), loops)

"""The notifications background process: audit trail, notices, reminders, e-mail and webhooks.

The two consumers split the topics' partitions among the replicas; reminders, the mailer and the
webhook deliverer each run in one replica at a time, under a lease, so nothing is sent twice.
"""

from __future__ import annotations

import threading

from services.notifications.app.reminders import run_reminders
from services.notifications.bootstrap import (
    Notifications,
    audit_runner,
    bootstrap,
    deliverer,
    mailer,
    notices_runner,
)
from services.notifications.config import load_settings
from shared.logs import configure_logging
from shared.process import Loop, Worker, run_worker


def loops(service: Notifications) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    config = service.config
    mail, hooks = mailer(service), deliverer(service)

    def reminders(stop: threading.Event) -> None:
        run_reminders(service.engine, service.clock, config.reminder_offsets_days, stop, config.loop_interval)

    return {
        "audit": audit_runner(service),
        "notices": notices_runner(service),
        "reminders": service.singleton("reminders", reminders),
        "mailer": service.singleton("mailer", lambda stop: mail.run(stop, config.loop_interval)),
        "webhooks": service.singleton("webhooks", hooks.run, on_close=hooks.close),
    }


def main() -> None:
    """Run until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.common.service, settings.common.log_level)
    service = bootstrap(settings)
    try:
        run_worker(Worker("notifications-worker", loops(service), lambda: service.bus.topic_warnings))
    finally:
        service.close()


if __name__ == "__main__":
    main()

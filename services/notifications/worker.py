"""The notifications background process: audit trail, notices, reminders, e-mail and webhooks."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
from shared.metrics import serve_worker_metrics
from shared.process import run_loops, run_until_signalled


def run_all(service: Notifications, stop: threading.Event) -> None:
    """Run every loop in its own thread until stopped."""
    config = service.config
    audit, notices, mail, hooks = (
        audit_runner(service),
        notices_runner(service),
        mailer(service),
        deliverer(service),
    )
    loops: list[Callable[[threading.Event], None]] = [
        audit.run,
        notices.run,
        lambda s: run_reminders(
            service.engine, service.clock, config.reminder_offsets_days, s, config.loop_interval
        ),
        lambda s: mail.run(s, config.loop_interval),
        hooks.run,
    ]
    run_loops(loops, stop)
    audit.close()
    notices.close()
    hooks.close()


def main() -> None:
    """Run until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.common.service, settings.common.log_level)
    serve_worker_metrics()
    service = bootstrap(settings)
    try:
        run_until_signalled(lambda stop: run_all(service, stop))
    finally:
        service.close()


if __name__ == "__main__":
    main()

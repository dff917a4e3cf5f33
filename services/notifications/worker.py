"""The notifications background process: the audit-trail consumer."""

from __future__ import annotations

from services.notifications.bootstrap import audit_runner, bootstrap
from services.notifications.config import load_settings
from shared.logs import configure_logging
from shared.process import run_until_signalled


def main() -> None:
    """Consume until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    service = bootstrap(settings)
    runner = audit_runner(service)
    try:
        run_until_signalled(runner.run)
    finally:
        runner.close()
        service.close()


if __name__ == "__main__":
    main()

"""The registry's background process: the outbox relay to ``thidua.registry.events``."""

from __future__ import annotations

from services.registry.bootstrap import bootstrap
from services.registry.config import load_settings
from services.registry.contracts import TOPIC
from shared.logs import configure_logging
from shared.metrics import serve_worker_metrics
from shared.process import run_until_signalled


def main() -> None:
    """Run the relay until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    serve_worker_metrics()
    registry = bootstrap(settings)
    relay = registry.relay(TOPIC)
    try:
        run_until_signalled(relay.run)
    finally:
        registry.close()


if __name__ == "__main__":
    main()


def seed() -> None:
    """Load the seed data into the registry (the relay publishes it)."""
    from services.registry.seed.command import seed as load_seed

    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    registry = bootstrap(settings)
    try:
        report = load_seed(registry)
        print(f"seed: created {report}")
    finally:
        registry.close()

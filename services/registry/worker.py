"""The registry's background process: the outbox relay to ``thidua.registry.events``, under a lease."""

from __future__ import annotations

from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import load_settings
from services.registry.contracts import TOPIC
from shared.logs import configure_logging
from shared.process import Loop, Worker, run_worker


def loops(service: Registry) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    return {"relay": service.relay_loop(TOPIC)}


def main() -> None:
    """Run the relay until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    service = bootstrap(settings)
    try:
        run_worker(Worker("registry-worker", loops(service), lambda: service.bus.topic_warnings))
    finally:
        service.close()


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

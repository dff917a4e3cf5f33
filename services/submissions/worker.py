"""The submissions background process: relay, registry view, inbound confirmations, deadline watcher."""

from __future__ import annotations

from services.submissions import tables
from services.submissions.app.watcher import run_watcher
from services.submissions.bootstrap import Submissions, bootstrap
from services.submissions.config import load_settings
from services.submissions.contracts import INBOUND_EVENTS, REGISTRY_EVENTS, TOPIC
from services.submissions.projections.inbound import InboundConfirmations
from services.submissions.projections.registry_view import RegistryView
from shared.consumer import ConsumerRunner
from shared.logs import configure_logging
from shared.process import Loop, Worker, run_worker


def registry_view_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that keeps the registry view."""
    return ConsumerRunner(
        RegistryView(), service.engine, tables.processed_events, service.bus, REGISTRY_EVENTS
    )


def inbound_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that takes Form 09 confirmations from the integration topic."""
    projection = InboundConfirmations(service, service.integration_keys)
    return ConsumerRunner(projection, service.engine, tables.processed_events, service.bus, INBOUND_EVENTS)


def loops(service: Submissions) -> dict[str, Loop]:
    """Return the worker's loops by name: the relay and the watcher under leases, the consumers in groups."""
    return {
        "relay": service.relay_loop(TOPIC),
        "registry-view": registry_view_runner(service),
        **({"inbound": inbound_runner(service)} if service.integration_keys else {}),
        "deadline-watcher": service.singleton("deadline-watcher", lambda stop: run_watcher(service, stop)),
    }


def main() -> None:
    """Run until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.common.service, settings.common.log_level)
    service = bootstrap(settings)
    try:
        run_worker(Worker("submissions-worker", loops(service), lambda: service.bus.topic_warnings))
    finally:
        service.close()


if __name__ == "__main__":
    main()

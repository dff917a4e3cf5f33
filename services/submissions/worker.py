"""The submissions background process: relay, registry view, inbound confirmations, deadline watcher."""

from __future__ import annotations

import threading
from collections.abc import Callable

from services.submissions import tables
from services.submissions.app.watcher import run_watcher
from services.submissions.bootstrap import Submissions, bootstrap
from services.submissions.config import load_settings
from services.submissions.contracts import INBOUND_EVENTS, REGISTRY_EVENTS, TOPIC
from services.submissions.projections.inbound import InboundConfirmations
from services.submissions.projections.registry_view import RegistryView
from shared.consumer import ConsumerRunner
from shared.logs import configure_logging
from shared.metrics import serve_worker_metrics
from shared.process import run_loops, run_until_signalled


def registry_view_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that keeps the registry view."""
    return ConsumerRunner(
        RegistryView(), service.engine, tables.processed_events, service.bus, REGISTRY_EVENTS
    )


def inbound_runner(service: Submissions) -> ConsumerRunner:
    """Return the runner that takes Form 09 confirmations from the integration topic."""
    projection = InboundConfirmations(service, service.integration_keys)
    return ConsumerRunner(projection, service.engine, tables.processed_events, service.bus, INBOUND_EVENTS)


def run_all(service: Submissions, stop: threading.Event) -> None:
    """Run the relay, both consumers and the watcher, each in its own thread, until stopped."""
    relay = service.relay(TOPIC)
    view, inbound = registry_view_runner(service), inbound_runner(service)
    loops: list[Callable[[threading.Event], None]] = [
        relay.run,
        view.run,
        inbound.run,
        lambda s: run_watcher(service, s),
    ]
    run_loops(loops, stop)
    view.close()
    inbound.close()


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

"""The registry's background process: the outbox relay to ``thidua.registry.events`` and the provincial
feeds, each under a lease, and the consumers of dossiers and proposals."""

from __future__ import annotations

from services.registry.bootstrap import bootstrap, consumers
from services.registry.config import load_settings
from services.registry.contracts import TOPIC
from services.registry.feeds import provincial_feeds
from services.registry.service import Registry
from shared.process import Loop, serve
from shared.service import from_environment


def loops(service: Registry) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    feeds = provincial_feeds(service.bus)
    return {
        "relay": service.relay_loop(TOPIC),
        "provincial-feeds": service.singleton("provincial-feeds", feeds.run, feeds.close),
        **consumers(service),
    }


def main() -> None:
    """Run the worker until SIGTERM or SIGINT."""
    serve("registry-worker", from_environment(load_settings, bootstrap), loops)

"""The registry's background process: the outbox relay to ``thidua.registry.events``, under a lease."""

from __future__ import annotations

from services.registry.bootstrap import bootstrap, consumers
from services.registry.config import load_settings
from services.registry.contracts import TOPIC
from services.registry.service import Registry
from shared.process import Loop, serve
from shared.service import from_environment


def loops(service: Registry) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    return {"relay": service.relay_loop(TOPIC), **consumers(service)}


def main() -> None:
    """Run the worker until SIGTERM or SIGINT."""
    serve("registry-worker", from_environment(load_settings, bootstrap), loops)

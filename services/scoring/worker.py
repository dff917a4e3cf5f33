"""The scoring background process: the scoring consumer and the relay of its results."""

from __future__ import annotations

from services.scoring.bootstrap import bootstrap, consumers
from services.scoring.config import load_settings
from services.scoring.contracts import TOPIC
from services.scoring.service import Scoring
from shared.process import Loop, serve
from shared.service import from_environment


def loops(service: Scoring) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    return {"relay": service.relay_loop(TOPIC), **consumers(service)}


def main() -> None:
    """Run the worker until SIGTERM or SIGINT."""
    serve("scoring-worker", from_environment(load_settings, bootstrap), loops)

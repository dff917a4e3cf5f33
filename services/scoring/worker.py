"""The scoring background process: the scoring consumer and the relay of its results."""

from __future__ import annotations

from services.scoring.bootstrap import Scoring, bootstrap, scoring_runner
from services.scoring.config import load_settings
from services.scoring.contracts import TOPIC
from shared.logs import configure_logging
from shared.process import Loop, Worker, run_worker


def loops(service: Scoring) -> dict[str, Loop]:
    """Return the worker's loops by name."""
    return {"relay": service.relay_loop(TOPIC), "scoring": scoring_runner(service)}


def main() -> None:
    """Consume and relay until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    service = bootstrap(settings)
    try:
        run_worker(Worker("scoring-worker", loops(service), lambda: service.bus.topic_warnings))
    finally:
        service.close()


if __name__ == "__main__":
    main()

"""The scoring background process: the scoring consumer and the relay of its results."""

from __future__ import annotations

import threading

from services.scoring.bootstrap import bootstrap, scoring_runner
from services.scoring.config import load_settings
from services.scoring.contracts import TOPIC
from shared.logs import configure_logging
from shared.metrics import serve_worker_metrics
from shared.process import run_until_signalled


def main() -> None:
    """Consume and relay until SIGTERM or SIGINT."""
    settings = load_settings()
    configure_logging(settings.service, settings.log_level)
    serve_worker_metrics()
    service = bootstrap(settings)
    runner = scoring_runner(service)
    relay = service.relay(TOPIC)

    def run(stop: threading.Event) -> None:
        relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        relay_thread.start()
        runner.run(stop)
        relay_thread.join()

    try:
        run_until_signalled(run)
    finally:
        runner.close()
        service.close()


if __name__ == "__main__":
    main()

"""Run a worker loop until the process is told to stop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any


def run_until_signalled(loop: Callable[[threading.Event], Any]) -> None:
    """Call ``loop(stop)`` and set ``stop`` on SIGTERM or SIGINT so the loop ends cleanly."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    loop(stop)


def run_loops(loops: Sequence[Callable[[threading.Event], Any]], stop: threading.Event) -> None:
    """Run each loop in its own thread until ``stop`` is set, then wait for all of them to end."""
    threads = [threading.Thread(target=loop, args=(stop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

"""Keep one process running: ``python -m shared.supervise COMMAND...`` restarts it when it crashes.

Used by ``make run`` (each Procfile line), so that a worker that dies, or exits because a loop died,
comes back instead of honcho stopping the whole suite. SIGTERM and SIGINT are passed on to the
process and end the supervision; a clean exit (status 0) ends it too. Restarts wait 1 s, doubling
up to 30 s while the process keeps crashing within a minute of its start.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from typing import Any

FIRST_WAIT, LONGEST_WAIT, STABLE_AFTER = 1.0, 30.0, 60.0


def supervise(command: list[str]) -> int:
    """Run ``command`` until it exits cleanly or this process is told to stop; return its last status."""
    stopping = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def _forward(signum: int, _frame: Any) -> None:
        stopping.set()
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    crashes = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        status = child.wait()
        if stopping.is_set() or status == 0:
            return status
        crashes = 0 if time.monotonic() - started > STABLE_AFTER else crashes
        wait = min(FIRST_WAIT * 2**crashes, LONGEST_WAIT)
        crashes += 1
        print(
            f"supervise: {' '.join(command)} exited with {status}; restarting in {wait:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        if stopping.wait(wait):
            return status


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: python -m shared.supervise COMMAND [ARG...]", file=sys.stderr)
        sys.exit(2)
    sys.exit(supervise(sys.argv[1:]))

"""Run a worker process: its named loops in threads, a health endpoint, and a clean or a loud end.

A loop that raises, or returns before the process is told to stop, ends the whole process with a
non-zero exit, so that its supervisor (honcho under ``make run``, a restart policy, systemd)
starts it again; no process lives on with a dead thread. On SIGTERM or SIGINT every loop is told
to stop, finishes what it holds and releases its lease; a process still running after its stop
grace (WORKER_STOP_GRACE_SECONDS) first releases the leases it still holds, so a standby takes over
at once rather than at their expiry, then ends.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from shared import tracing
from shared.leases import Lease
from shared.service import ServiceContext

log = logging.getLogger(__name__)
READY = Gauge(
    "thidua_worker_ready", "1 when every loop of the worker is healthy (as /readyz says).", ["worker"]
)
EXIT_LOOP_DIED = 70
RELEASE_SECONDS = 2.0
"""How long a worker past its grace tries to release its leases before it exits anyway."""
S = TypeVar("S", bound=ServiceContext)


class Runnable(Protocol):
    """A loop object: ``run(stop)`` until the event is set; ``describe()`` (optional) says its state."""

    def run(self, stop: threading.Event) -> Any:
        """Work until ``stop`` is set."""
        ...


Loop = Callable[[threading.Event], Any] | Runnable


class LoopDied(SystemExit):
    """A worker loop ended unexpectedly; the process exits so that it is restarted."""


class Worker:
    """The loops of one worker process, watched: each in its own thread, with their health."""

    def __init__(self, name: str, loops: Mapping[str, Loop], bus_warnings: Callable[[], dict[str, str]]):
        self.name = name
        self.loops = dict(loops)
        self.bus_warnings = bus_warnings
        self.stop = threading.Event()
        self.failed: dict[str, str] = {}
        # every loop's thread exists from the start, so health never reads a half-filled table
        self.threads = {
            name: threading.Thread(target=self._guard, args=(name, loop), name=name, daemon=True)
            for name, loop in self.loops.items()
        }
        self.started = threading.Event()

    def run(self) -> None:
        """Run every loop until told to stop, then close them; raise LoopDied if one of them died."""
        for thread in self.threads.values():
            thread.start()
        self.started.set()
        for thread in self.threads.values():
            while thread.is_alive():
                thread.join(0.5)
        for name, loop in self.loops.items():
            close = getattr(loop, "close", None)
            try:
                if close is not None:
                    close()  # a consumer leaves its group
            except Exception:
                log.warning("worker %s: closing %s failed", self.name, name, exc_info=True)
        if self.failed:
            raise LoopDied(EXIT_LOOP_DIED)

    def release_leases(self) -> list[str]:
        """Release every lease a loop of this worker still holds (bounded); return their names."""
        held = [
            lease for loop in self.loops.values() if isinstance(lease := getattr(loop, "lease", None), Lease)
        ]
        released: list[str] = []

        def release() -> None:
            for lease in held:
                try:
                    if lease.held():
                        lease.release()
                        released.append(lease.name)
                except Exception:
                    log.warning("worker %s: releasing lease %s failed", self.name, lease.name, exc_info=True)

        thread = threading.Thread(target=release, name="release-leases", daemon=True)
        thread.start()
        thread.join(RELEASE_SECONDS)
        return released

    def healthy(self) -> bool:
        """Return whether every loop runs or starts (or was told to stop) and none is stuck in a step."""
        if self.failed or any(getattr(loop, "stuck", False) for loop in self.loops.values()):
            return False
        # a thread not started yet is starting, not dead: the health port opens before the loops start
        return all(t.is_alive() or t.ident is None or self.stop.is_set() for t in self.threads.values())

    def status(self) -> dict[str, Any]:
        """Return each loop's state (lease held or standing by, partitions held) and topic warnings."""
        loops = {}
        for name, loop in self.loops.items():
            thread = self.threads.get(name)
            entry: dict[str, Any] = {"alive": bool(thread and thread.is_alive())}
            if thread is not None and thread.ident is None:
                entry["starting"] = True
            describe = getattr(loop, "describe", None)
            if describe is not None:
                entry.update(describe())
            if name in self.failed:
                entry["error"] = self.failed[name]
            loops[name] = entry
        return {"worker": self.name, "loops": loops, "topic_warnings": self.bus_warnings()}

    def _guard(self, name: str, loop: Loop) -> None:
        """Run one loop; if it dies, say so and stop the process."""
        run = loop.run if hasattr(loop, "run") else loop
        try:
            run(self.stop)
            if not self.stop.is_set():
                raise RuntimeError("the loop returned before the worker was told to stop")
        except BaseException as exc:
            log.critical("worker %s: loop %s died; stopping the process", self.name, name, exc_info=True)
            self.failed[name] = f"{type(exc).__name__}: {exc}"
            self.stop.set()


def run_worker(worker: Worker, grace: float = 10.0) -> None:
    """Run a worker until SIGTERM or SIGINT, with its health endpoint on WORKER_METRICS_PORT when set.

    A worker still running ``grace`` seconds after the signal releases its leases first, then exits.
    """

    def _stop(signum: int, _frame: Any) -> None:
        if not worker.stop.is_set():
            log.info("worker %s: signal %d, stopping", worker.name, signum)
            worker.stop.set()
            threading.Thread(target=_deadline, name="grace", daemon=True).start()

    def _deadline() -> None:
        time.sleep(grace)
        released = worker.release_leases()
        log.error(
            "worker %s: still running %ss after the stop signal; released %s, ending now",
            worker.name,
            grace,
            ", ".join(released) or "no lease",
        )
        logging.shutdown()
        os._exit(1)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if port := os.environ.get("WORKER_METRICS_PORT"):
        # 127.0.0.1 unless WORKER_METRICS_HOST opens it (0.0.0.0 in a container, for probes and scraping);
        # fd://N serves on a listening socket handed over by whoever started the process, as gunicorn's bind
        serve_health(worker, port, os.environ.get("WORKER_METRICS_HOST", "127.0.0.1"))
    worker.run()


def serve(name: str, service: S, loops: Callable[[S], Mapping[str, Loop]]) -> None:
    """Run a service's worker (its table of loops) until stopped, then release the service."""
    try:
        run_worker(
            Worker(name, loops(service), lambda: service.bus.topic_warnings),
            service.settings.stop_grace_seconds,
        )
    finally:
        service.close()
        tracing.shutdown()  # the last spans go out before the process ends


def serve_health(worker: Worker, port: int | str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve /healthz (loops alive), /readyz (the same, with each loop's state) and /metrics, on a port
    or on an inherited listening socket (``fd://N``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            """Answer one health or metrics request."""
            path = self.path.split("?")[0]
            if path == "/metrics":
                READY.labels(worker.name).set(1 if worker.healthy() else 0)
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif path in ("/healthz", "/readyz"):
                ok = worker.healthy()
                body: dict[str, Any] = {"status": "ok" if ok else "failing"}
                if path == "/readyz":
                    body = {"status": "ready" if ok else "not_ready", "details": worker.status()}
                self._send(200 if ok else 503, json.dumps(body).encode(), "application/json")
            else:
                self._send(404, b'{"error": {"code": "not_found", "message": "no such path", "details": {}}}')

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep probes out of the log."""

    if isinstance(port, str) and port.startswith("fd://"):
        server = ThreadingHTTPServer((host, 0), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = socket.socket(fileno=int(port.removeprefix("fd://")))
    else:
        server = ThreadingHTTPServer((host, int(port)), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server

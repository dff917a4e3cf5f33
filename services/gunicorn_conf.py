"""Gunicorn settings, read from the environment (PORT or GUNICORN_BIND, WEB_CONCURRENCY, ...)."""

import os
import shutil
import tempfile
from typing import Any

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Processes: one per core (2 on the machines this is measured on), because the request work is Python
# under the GIL and a third process on two cores only adds memory and contention for SQLite's one writer.
# Threads: 4 per process, to overlap what releases the GIL (SQLite's fsync, PostgreSQL round trips, the
# portal's calls to the services); more threads add latency under load without adding throughput.
# README "Performance" has the measurements behind these defaults.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log (the benches)
access_log_format = '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(b)s","ms":%(M)s}'
errorlog = "-"
logger_class = "shared.web.accesslog.RedactingLogger"  # one-time links' tokens never reach the log
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One control socket per process would collide when several services run on one machine.
control_socket_disable = True
# gunicorn's own refusal of a long request line is an HTML page; the apps refuse one past
# shared.web.app.MAX_URI_LENGTH themselves, with 414 in the suite's error shape.
limit_request_line = 0

# Each gunicorn worker is its own process with its own counters: Prometheus' multiprocess mode keeps
# them in files under one directory per API, so /metrics (answered by any worker) is the sum of all.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="thidua-metrics-")


def on_starting(server: object) -> None:
    """Start from empty counters: files left by a previous run of this API would be summed in."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def child_exit(server: object, worker: Any) -> None:
    """Let a dead worker's live gauges go (its counters stay in the sum)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: object) -> None:
    """Remove the metrics directory this API made for itself."""
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def worker_exit(server: object, worker: object) -> None:
    """Send the spans an API process still buffers before it ends (shared.tracing; nothing when off)."""
    from shared import tracing

    tracing.shutdown()

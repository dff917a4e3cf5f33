"""API latency under a fixed load (hey), beside a bare Flask endpoint under the same gunicorn settings.

    python -m bench.latency      [BENCH_LATENCY_SECONDS=20] [BENCH_REPEAT=3] [BENCH_POSTGRES_URL=server]

Reads: the status board of 2023 and a cluster's score table at 300 requests/s; a write: an inspection
filed at 100 requests/s. The suite runs on SQLite (the embedded default), then, given a server, on
PostgreSQL (a deployment's database, a fresh database per service). Each run alternates the bare
endpoint and the subject at the same rate; the table gives p50 and p99 (median and spread over the runs)
and the p99 as a multiple of the bare endpoint's (goal: at most twice).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from bench.load import Load, hey
from bench.settings import load
from bench.stats import Comparison, Figure, alternate, table
from bench.suite import THREADS, WORKERS, Running, running_suite
from services.__main__ import GUNICORN_CONFIG
from tests.e2e.processes import ROOT, wait_for_url
from tests.ports import listening, port_of

CLUSTER = "cl_2023_trung_du_bac"
INSPECTION = {
    "year": 2023,
    "form": "KIEM_TRA",
    "cluster_id": CLUSTER,
    "payload": {
        "inspected_school_id": "sch_yenbai",
        "inspecting_school_ids": ["sch_phutho"],
        "cross_inspection": True,
        "inspected_on": "2023-09-12",
        "findings": "Kiểm tra chéo theo kế hoạch của cụm",
        "verified_scores": [{"criterion": "CHU_DONG.1", "points": 7}],
    },
}
GOAL_P99 = 0.050
GOAL_BARE_RATIO = 2.0
"""The p99 goal beside the bare endpoint: at most twice its p99 at the same rate (200 % in the table)."""


def bare_endpoint() -> tuple[subprocess.Popen[bytes], str]:
    """Start the bare endpoint under gunicorn with the suite's settings; return it and its URL."""
    sock = listening()  # handed to gunicorn: no port is let go before it binds
    port = port_of(sock)
    env = {
        **os.environ,
        "GUNICORN_BIND": f"fd://{sock.fileno()}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_ACCESS_LOG": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, "bench.bare:create_app()"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=[sock.fileno()],
    )
    sock.close()  # gunicorn holds it now
    url = f"http://127.0.0.1:{port}/bare"
    wait_for_url(url)
    return process, url


def measure(repeat: int, seconds: int, postgres_server: str | None = None) -> list[Comparison]:
    """Run each subject beside the bare endpoint ``repeat`` times, the suite on SQLite, then on PostgreSQL
    when a server is given; return p50 and p99 comparisons."""
    bare, bare_url = bare_endpoint()
    comparisons: list[Comparison] = []
    stores = [("SQLite", None)] + ([("PostgreSQL", postgres_server)] if postgres_server else [])
    try:
        for store, server in stores:
            with running_suite(postgres_server=server) as suite:
                for name, rate, send in subjects(suite):
                    bare_runs, runs = alternate(
                        repeat, _loader(bare_url, rate, seconds), _sender(send, rate, seconds)
                    )
                    comparisons += _compare(f"{name}, {store}", rate, bare_runs, runs)
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    return comparisons


def _loader(url: str, rate: int, seconds: int) -> Callable[[int], Load]:
    return lambda _run: hey(url, rate, seconds)


def _sender(send: Callable[[int, int], Load], rate: int, seconds: int) -> Callable[[int], Load]:
    return lambda _run: send(rate, seconds)


def subjects(suite: Running) -> list[tuple[str, int, Callable[[int, int], Load]]]:
    """Return each endpoint measured, its rate, and how to load it."""
    board = f"{suite.urls['submissions']}/status-board?year=2023"
    scores = f"{suite.urls['scoring']}/score-tables/2023/{CLUSTER}"
    filings = f"{suite.urls['submissions']}/filings"
    return [
        ("status board 2023 (read)", 300, lambda r, s: hey(board, r, s, suite.admin)),
        ("cluster score table (read)", 300, lambda r, s: hey(scores, r, s, suite.admin)),
        ("file an inspection (write)", 100, lambda r, s: hey(filings, r, s, suite.cluster_head, INSPECTION)),
    ]


def _compare(name: str, rate: int, bare: list[Load], subject: list[Load]) -> list[Comparison]:
    failed = sum(load.failures for load in subject)
    label = f"{name} @ {rate}/s" + (f" ({failed} failed)" if failed else "")
    reached = Figure(f"{label}: rate reached", tuple(load.rate for load in subject), "req/s")
    asked = Figure("asked", tuple(float(rate) for _ in subject), "req/s")
    rows = [Comparison(reached, asked, goal=0.98)]
    for p in (50, 99):
        mine = Figure(f"{label}: p{p}", tuple(load.percentile(p) * 1000 for load in subject), "ms")
        base = Figure(f"bare endpoint p{p}", tuple(load.percentile(p) * 1000 for load in bare), "ms")
        goal = GOAL_BARE_RATIO if p == 99 else None
        rows.append(Comparison(mine, base, goal=goal, higher_is_better=False))
    return rows


def p99_goal_rows(comparisons: list[Comparison]) -> list[list[str]]:
    """Return whether each subject's p99 is under 50 ms (an earlier issue's absolute goal), one row each."""
    return [
        [
            c.subject.name,
            c.subject.text(),
            "goal p99 < 50 ms",
            "met" if c.subject.median < GOAL_P99 * 1000 else "MISSED",
        ]
        for c in comparisons
        if c.subject.name.endswith(": p99")
    ]


def main() -> int:
    """Measure and print the latency table."""
    settings = load()
    repeat, seconds = settings.runs(3), settings.latency_seconds
    comparisons = measure(repeat, seconds, settings.postgres)
    print(
        f"\nAPI latency, gunicorn {WORKERS} workers x {THREADS} threads, {seconds} s per run, {repeat} runs\n"
    )
    header = ["subject", "median (spread)", "baseline", "median (spread)", "ratio", "goal", ""]
    print(table([c.row() for c in comparisons], header))
    print()
    print(table(p99_goal_rows(comparisons), ["subject", "median (spread)", "goal", ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

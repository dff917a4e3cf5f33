"""Writes spread over gunicorn processes: filings at a fixed rate into one process against two.

    BENCH_POSTGRES_URL=server [BENCH_LATENCY_SECONDS=20] [BENCH_REPEAT=3] python -m bench.writers

Two suites run side by side on PostgreSQL (a fresh database per service each), one with each API as one
gunicorn process and one with two, and hey files a cluster head's inspections into each in alternating
runs at a rate above what one process answers. Each inspection is a filing of its own, so it decides
under its own lock and only the append queues: the rate reached and the latencies say whether a
second process adds writes, as deciding without the service's write lock should let it.

Measured twice: with the whole suite running (the consumers, relays and watchers that react to each
filing share the cores), then with the workers stopped, the API alone (the write path by itself).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack

from bench.latency import INSPECTION
from bench.load import Load, hey
from bench.settings import load
from bench.stats import Comparison, Figure, alternate, table
from bench.suite import Running, running_suite

RATE, ALONE_RATE = 150, 300
"""Inspections asked a second of the whole suite, and of the API alone: above what one gunicorn process
of submissions answers on this machine in each case."""


def measure(repeat: int, seconds: int, postgres_server: str) -> list[Comparison]:
    """File inspections at ``RATE`` into a suite of one gunicorn process and one of two, alternating:
    with the whole suite running, then with the APIs alone."""
    with ExitStack() as stack:
        one = stack.enter_context(running_suite(postgres_server=postgres_server, workers=1))
        two = stack.enter_context(running_suite(postgres_server=postgres_server, workers=2))

        def filer(suite: Running, rate: int) -> Callable[[int], Load]:
            url = f"{suite.urls['submissions']}/filings"
            return lambda _run: hey(url, rate, seconds, suite.cluster_head, INSPECTION)

        rows = compare("the whole suite", RATE, *alternate(repeat, filer(one, RATE), filer(two, RATE)))
        one.stop_workers()
        two.stop_workers()
        alone = alternate(repeat, filer(one, ALONE_RATE), filer(two, ALONE_RATE))
        rows += compare("the API alone", ALONE_RATE, *alone)
    return rows


def compare(what: str, rate: int, ones: list[Load], twos: list[Load]) -> list[Comparison]:
    """Return the rate reached and the p50 and p99 of two processes beside one."""
    failed = sum(load.failures for load in ones + twos)
    label = f"inspections @ {rate}/s, {what}" + (f" ({failed} failed)" if failed else "")
    rows = [
        Comparison(
            Figure(f"{label}, 2 processes: rate reached", tuple(x.rate for x in twos), "req/s"),
            Figure("1 process", tuple(x.rate for x in ones), "req/s"),
        )
    ]
    for p in (50, 99):
        rows.append(
            Comparison(
                Figure(f"{label}, 2 processes: p{p}", tuple(x.percentile(p) * 1000 for x in twos), "ms"),
                Figure(f"1 process: p{p}", tuple(x.percentile(p) * 1000 for x in ones), "ms"),
                higher_is_better=False,
            )
        )
    return rows


def main() -> int:
    """Measure and print the table (needs BENCH_POSTGRES_URL: on SQLite one writer is the file's rule)."""
    settings = load()
    if settings.postgres is None:
        print("bench.writers needs BENCH_POSTGRES_URL (PostgreSQL)", file=sys.stderr)
        return 2
    repeat, seconds = settings.runs(3), settings.latency_seconds
    rows = measure(repeat, seconds, settings.postgres)
    print(f"\nFilings into one gunicorn process against two (4 threads each), {seconds} s, {repeat} runs\n")
    header = ["subject", "median (spread)", "baseline", "median (spread)", "ratio", "goal", ""]
    print(table([row.row() for row in rows], header))
    return 0


if __name__ == "__main__":
    sys.exit(main())

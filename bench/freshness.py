"""How soon an accepted write shows in scoring's score card and in the audit trail.

    python -m bench.freshness    [KAFKA_BOOTSTRAP_SERVERS=...] [BENCH_FRESHNESS_SECONDS=20] [BENCH_REPEAT=3]

A steady 50 inspections a second are filed through the submissions API (hey) on the embedded default and,
when a broker is given, on Kafka. For each accepted filing, its freshness in a read model is the time from
its event's recording (in the API's transaction) to the consumer's tracking row (written in the same
transaction as the read model's change). Prints p50, p95, p99 and max, median and spread over the runs.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from bench.latency import INSPECTION
from bench.load import hey
from bench.settings import load
from bench.stats import Figure, table
from bench.suite import Running, running_suite
from shared.db import UTCDateTime

RATE = 50
GOAL_P99 = 0.5
READ_MODELS = {
    "score card (scoring)": ("scoring", "scoring"),
    "audit trail": ("notifications", "notifications-audit"),
}
PERCENTILES = (50, 95, 99, 100)


def recorded(suite: Running, since: int) -> dict[str, datetime]:
    """Return when each inspection after position ``since`` was recorded in submissions."""
    query = sa.text(
        "SELECT event_id, recorded_at FROM events WHERE type = 'InspectionDone' AND position > :since"
    ).columns(sa.column("event_id", sa.String), sa.column("recorded_at", UTCDateTime))
    with sa.create_engine(suite.database("submissions")).connect() as conn:
        return dict(conn.execute(query, {"since": since}).all())


def last_position(suite: Running) -> int:
    """Return the newest position of the submissions events table."""
    with sa.create_engine(suite.database("submissions")).connect() as conn:
        return int(conn.execute(sa.text("SELECT coalesce(max(position), 0) FROM events")).scalar_one())


def applied(suite: Running, service: str, consumer: str, ids: set[str]) -> dict[str, datetime]:
    """Return when a consumer applied each of these events (those it has applied)."""
    query = sa.text("SELECT event_id, processed_at FROM processed_events WHERE consumer = :consumer").columns(
        sa.column("event_id", sa.String), sa.column("processed_at", UTCDateTime)
    )
    with sa.create_engine(suite.database(service)).connect() as conn:
        rows = conn.execute(query, {"consumer": consumer}).all()
    return {event_id: at for event_id, at in rows if event_id in ids}


def one_run(suite: Running, seconds: int) -> dict[str, list[float]]:
    """File inspections at the rate for ``seconds``; return each read model's freshness per filing."""
    since = last_position(suite)
    load = hey(f"{suite.urls['submissions']}/filings", RATE, seconds, suite.cluster_head, INSPECTION)
    assert load.failures == 0, f"{load.failures} filings refused"
    written = recorded(suite, since)
    lags: dict[str, list[float]] = {}
    for name, (service, consumer) in READ_MODELS.items():
        deadline = time.monotonic() + 120
        while len(seen := applied(suite, service, consumer, set(written))) < len(written):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: {len(seen)} of {len(written)} applied after 2 minutes")
            time.sleep(0.5)
        lags[name] = [(seen[e] - at).total_seconds() for e, at in written.items()]
    return lags


def measure(bus_url: str | None, repeat: int, seconds: int) -> Iterator[list[str]]:
    """Yield a table row per read model and percentile, over ``repeat`` runs on one running suite."""
    with running_suite(bus_url, demo=False) as suite:
        runs = [one_run(suite, seconds) for _ in range(repeat)]
    where = "Kafka" if bus_url else "embedded log"
    for name in READ_MODELS:
        for p in PERCENTILES:
            values = tuple(_percentile(run[name], p) * 1000 for run in runs)
            label = "max" if p == 100 else f"p{p}"
            figure = Figure(f"{name}, {where}: {label}", values, "ms")
            verdict = ("met" if statistics.median(values) < GOAL_P99 * 1000 else "MISSED") if p == 99 else ""
            yield [figure.name, figure.text(), f"p99 < {GOAL_P99 * 1000:.0f} ms" if p == 99 else "", verdict]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    """Measure freshness on the embedded default, and on Kafka when a broker is given."""
    settings = load()
    repeat, seconds = settings.runs(3), settings.freshness_seconds
    rows = list(measure(None, repeat, seconds))
    if servers := settings.kafka:
        rows += measure(f"kafka://{servers}?namespace=fresh{uuid.uuid4().hex[:8]}.", repeat, seconds)
    print(f"\nFreshness at {RATE} filings/s, {seconds} s per run, {repeat} runs (median and spread)\n")
    print(table(rows, ["read model: percentile", "median (spread)", "goal", ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

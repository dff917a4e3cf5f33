"""How soon an accepted write shows in scoring's score card and in the audit trail.

    python -m bench.freshness    [KAFKA_BOOTSTRAP_SERVERS=...] [BENCH_FRESHNESS_SECONDS=20] [BENCH_REPEAT=3]

Inspections are filed at a steady rate through the submissions API (hey): 50 a second on the embedded
default and, when a broker is given, 50 and then 100 a second on Kafka (the old goal, p99 < 500 ms at 50/s,
and the new one, < 250 ms at 100/s). For each accepted filing, its freshness in a read model is the time
from its event's recording (in the API's transaction) to the commit of the consumer's batch that applied it:
the consumer's position in the event's partition, written in the same transaction as the read model's
change, is sampled every few milliseconds while the load runs; the first sample past the event's offset
gives that batch's time (a later batch's, when two commit between samples: never less than the truth).
Prints p50, p95, p99 and max, median and spread over the runs.
"""

from __future__ import annotations

import bisect
import statistics
import sys
import threading
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
from services.vocabulary import SUBMISSIONS_TOPIC
from shared.bus import Start, make_bus
from shared.db import UTCDateTime

RATE = 50
GOALS = {50: 0.5, 100: 0.25}
"""Filings a second → the p99 freshness asked at that rate, in seconds."""
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


Position = tuple[str, int, int, datetime]
"""A sampled position: topic, partition, next offset, when the batch that moved it committed."""


def sample(engine: sa.Engine, consumer: str) -> list[Position]:
    """Return a consumer's positions now."""
    query = sa.text(
        "SELECT topic, partition, next_offset, applied_at FROM consumer_positions WHERE consumer = :consumer"
    ).columns(
        sa.column("topic", sa.String),
        sa.column("partition", sa.Integer),
        sa.column("next_offset", sa.BigInteger),
        sa.column("applied_at", UTCDateTime),
    )
    with engine.connect() as conn:
        return [
            (r.topic, r.partition, r.next_offset, r.applied_at)
            for r in conn.execute(query, {"consumer": consumer})
        ]


class Sampler:
    """Samples each read model's consumer positions every few milliseconds in a thread, until stopped."""

    def __init__(self, suite: Running):
        self.engines = {
            name: sa.create_engine(suite.database(service)) for name, (service, _c) in READ_MODELS.items()
        }
        self.samples: dict[str, list[Position]] = {name: [] for name in READ_MODELS}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(SAMPLE_EVERY):
            for name, (_service, consumer) in READ_MODELS.items():
                self.samples[name] += sample(self.engines[name], consumer)

    def applied(self, name: str, offsets: dict[str, tuple[str, int, int]]) -> dict[str, datetime]:
        """Return when each event (by its topic, partition, offset) was applied, as first sampled: a
        position only moves forward, so the first sample past an offset is found by bisection."""
        by_partition: dict[tuple[str, int], tuple[list[int], list[datetime]]] = {}
        for topic, partition, next_offset, at in list(self.samples[name]):
            nexts, times = by_partition.setdefault((topic, partition), ([], []))
            nexts.append(next_offset)
            times.append(at)
        found: dict[str, datetime] = {}
        for event_id, (topic, partition, offset) in offsets.items():
            nexts, times = by_partition.get((topic, partition), ([], []))
            index = bisect.bisect_right(nexts, offset)  # the first sample whose next offset is past it
            if index < len(nexts):
                found[event_id] = times[index]
        return found

    def close(self) -> None:
        """Stop sampling and let the engines go."""
        self.stop.set()
        self.thread.join()
        for engine in self.engines.values():
            engine.dispose()


SAMPLE_EVERY = 0.005


def offsets_of(suite: Running, ids: set[str]) -> dict[str, tuple[str, int, int]]:
    """Return where each of these events is on the submissions topic."""
    bus = make_bus(suite.bus_url)
    try:
        records = bus.read([SUBMISSIONS_TOPIC], Start(), 10_000_000)
    finally:
        bus.close()
    return {
        event_id: (r.topic, r.partition, r.offset)
        for r in records
        if (event_id := (r.header("ce_id") or b"").decode()) in ids
    }


def published(suite: Running, ids: set[str]) -> dict[str, tuple[str, int, int]]:
    """Return where each of these events is on the submissions topic, once the relay has published them
    all (the last filings may still be on their way when the load ends); at most two minutes."""
    deadline = time.monotonic() + 120
    while len(where := offsets_of(suite, ids)) < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(where)} of {len(ids)} filings published after 2 minutes")
        time.sleep(0.5)
    return where


def one_run(suite: Running, seconds: int, rate: int) -> dict[str, list[float]]:
    """File inspections at ``rate`` for ``seconds``; return each read model's freshness per filing."""
    since = last_position(suite)
    sampler = Sampler(suite)
    sampler.thread.start()
    try:
        load = hey(f"{suite.urls['submissions']}/filings", rate, seconds, suite.cluster_head, INSPECTION)
        assert load.failures == 0, f"{load.failures} filings refused"
        written = recorded(suite, since)
        where = published(suite, set(written))
        lags: dict[str, list[float]] = {}
        for name in READ_MODELS:
            deadline = time.monotonic() + 120
            while len(seen := sampler.applied(name, where)) < len(written):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name}: {len(seen)} of {len(written)} applied after 2 minutes")
                time.sleep(0.5)
            lags[name] = [(seen[e] - at).total_seconds() for e, at in written.items()]
    finally:
        sampler.close()
    return lags


def measure(bus_url: str | None, repeat: int, seconds: int, rate: int = RATE) -> Iterator[list[str]]:
    """Yield a table row per read model and percentile, over ``repeat`` runs at ``rate`` on one suite."""
    with running_suite(bus_url, demo=False) as suite:
        runs = [one_run(suite, seconds, rate) for _ in range(repeat)]
    where = "Kafka" if bus_url else "embedded log"
    goal = GOALS[rate] * 1000
    for name in READ_MODELS:
        for p in PERCENTILES:
            values = tuple(_percentile(run[name], p) * 1000 for run in runs)
            label = "max" if p == 100 else f"p{p}"
            figure = Figure(f"{name}, {where}, {rate}/s: {label}", values, "ms")
            verdict = ("met" if statistics.median(values) < goal else "MISSED") if p == 99 else ""
            yield [figure.name, figure.text(), f"p99 < {goal:.0f} ms" if p == 99 else "", verdict]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    """Measure freshness on the embedded default, and on Kafka when a broker is given."""
    settings = load()
    repeat, seconds = settings.runs(3), settings.freshness_seconds
    rows = list(measure(None, repeat, seconds))
    if servers := settings.kafka:
        rows += on_kafka(servers, repeat, seconds)
    print(f"\nFreshness, {seconds} s per run, {repeat} runs (median and spread)\n")
    print(table(rows, HEADER))
    return 0


HEADER = ["read model, bus, rate: percentile", "median (spread)", "goal", ""]


def on_kafka(servers: str, repeat: int, seconds: int) -> list[list[str]]:
    """Return the rows of freshness on Kafka at every rate with a goal, each in topics of its own."""
    return [
        row
        for rate in GOALS
        for row in measure(f"kafka://{servers}?namespace=fresh{uuid.uuid4().hex[:8]}.", repeat, seconds, rate)
    ]


if __name__ == "__main__":
    sys.exit(main())

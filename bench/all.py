"""Every bench in one run and one table: ``make bench``.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_POSTGRES_URL=server] [BENCH_REPEAT=...] python -m bench.all

This machine's single-row commit rates (bench.limits: the ceiling of a durable write), throughput (relay and
runner beside raw kafka-python, with and without the crc32c package), the runner's profile (every stage's
microseconds per record, bench.profile), the scoring rebuild beside raw consumption, freshness of the score
card and the audit trail (50 filings/s, and on Kafka 100/s too), API latency at fixed rates beside a bare
Flask endpoint, the CPU one filing costs each process (bench.budget), filings into one gunicorn process
against two (bench.writers, on PostgreSQL), and the rebuild's growth from 1 to 10 years. Each bench's table
is printed as soon as it is measured, and the throughput and latency rows again in one table at the end.
Every figure is the median of alternating runs with its spread; see each module for its own settings.
"""

from __future__ import annotations

import sys

from bench import budget, freshness, latency, limits, profile, scale, writers
from bench.__main__ import throughput
from bench.scoring import rebuild_comparisons
from bench.settings import load
from bench.stats import HEADER, Comparison, table


def main() -> int:
    """Run every bench, printing each one's table as soon as it is measured, then the whole table."""
    settings = load()
    if not (servers := settings.broker()):
        return 2
    postgres, repeat, count, seconds = (
        settings.postgres,
        settings.runs(3),
        settings.events,
        settings.latency_seconds,
    )
    physical = limits.measure(postgres, repeat)
    show(
        "What this machine allows: one row committed at a time (bench.limits)", table(physical, limits.HEADER)
    )
    rows = throughput(servers, count, repeat, postgres)
    show(f"Throughput, {repeat} alternating runs (median and spread; one broker)", _rows(rows))
    for found in profile.profiles(servers, count, repeat, postgres):
        title = f"Where the consumer runner's time goes ({found.store}), {count} events, {repeat} runs"
        show(title, "\n".join(found.lines()))
    rebuilds = rebuild_comparisons(servers, settings.scoring_events, repeat, postgres)
    show("Scoring rebuild beside raw consumption", _rows(rebuilds))
    latencies = latency.measure(repeat, seconds, postgres)
    show(f"Latency (gunicorn {latency.WORKERS} workers x {latency.THREADS} threads)", _rows(latencies))
    show(
        "Latency beside the earlier absolute goal (p99 < 50 ms); the table above has the ratio to bare",
        table(latency.p99_goal_rows(latencies), ["measured", "median (spread)", "goal", ""]),
    )
    budgets = [
        row
        for store, db, bus in budget.stores(postgres, servers)
        for row in budget.rows(store, budget.measure(repeat, seconds, db, bus))
    ]
    show(f"CPU a filing costs, inspections at {budget.RATE}/s (bench.budget)", table(budgets, budget.HEADER))
    processes = writers.measure(repeat, seconds, postgres) if postgres else []
    if processes:
        show("One gunicorn process against two, filing on PostgreSQL (bench.writers)", _rows(processes))
    fresh_seconds = settings.freshness_seconds
    fresh = list(freshness.measure(None, repeat, fresh_seconds)) + freshness.on_kafka(
        servers, repeat, fresh_seconds
    )
    show(f"Freshness, {fresh_seconds} s per run", table(fresh, freshness.HEADER))
    show("All of it: throughput and latency in one table", _rows(rows + rebuilds + latencies + processes))
    return scale.main([])


def show(title: str, text: str) -> None:
    """Print one bench's table under its title now, so a later bench's failure does not lose it."""
    print(f"\n{title}\n\n{text}", flush=True)


def _rows(comparisons: list[Comparison]) -> str:
    return table([row.row() for row in comparisons], HEADER)


if __name__ == "__main__":
    sys.exit(main())

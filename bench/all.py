"""Every bench in one run and one table: ``make bench``.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_POSTGRES_URL=server] [BENCH_REPEAT=...] python -m bench.all

This machine's single-row commit rates (bench.limits: the ceiling of a durable write), throughput
(relay and runner beside raw kafka-python, with and without the crc32c package), the runner's
profile (every stage's microseconds per record, bench.profile), the scoring
rebuild beside raw consumption, freshness of the score card and the audit trail at 50 filings/s, API
latency at fixed rates beside a bare Flask endpoint, the CPU one filing costs each process (bench.budget),
filings into one gunicorn process against two (bench.writers, on PostgreSQL), and the rebuild's growth
from 1 to 10 years. Every
figure is the median of alternating runs with its spread; see each module for its own settings.
"""

from __future__ import annotations

import sys
import uuid

from bench import budget, freshness, latency, limits, profile, scale, writers
from bench.__main__ import throughput
from bench.scoring import rebuild_comparisons
from bench.settings import load
from bench.stats import HEADER, table


def main() -> int:
    """Run every bench and print the tables."""
    settings = load()
    if not (servers := settings.broker()):
        return 2
    postgres, repeat, count = settings.postgres, settings.runs(3), settings.events
    physical = limits.measure(postgres, repeat)
    rows = throughput(servers, count, repeat, postgres)
    profiles = profile.profiles(servers, count, repeat, postgres)
    rows += rebuild_comparisons(servers, settings.scoring_events, repeat, postgres)
    seconds = settings.latency_seconds
    latencies = latency.measure(repeat, seconds, postgres)
    rows += latencies
    budgets = [
        row
        for store, db, bus in budget.stores(postgres, servers)
        for row in budget.rows(store, budget.measure(repeat, seconds, db, bus))
    ]
    rows += writers.measure(repeat, seconds, postgres) if postgres else []
    fresh_seconds = settings.freshness_seconds
    fresh = list(freshness.measure(None, repeat, fresh_seconds))
    on_kafka = f"kafka://{servers}?namespace=fresh{uuid.uuid4().hex[:8]}."
    fresh += freshness.measure(on_kafka, repeat, fresh_seconds)
    print("\nWhat this machine allows: one row committed at a time (bench.limits)\n")
    print(table(physical, limits.HEADER))
    print(f"\nThroughput and latency, {repeat} alternating runs each (median and spread; one broker)\n")
    print(table([row.row() for row in rows], HEADER))
    print(f"\nLatency goals (gunicorn {latency.WORKERS} workers x {latency.THREADS} threads)\n")
    print(table(latency.p99_goal_rows(latencies), ["measured", "median (spread)", "goal", ""]))
    print(f"\nCPU a filing costs, inspections at {budget.RATE}/s (bench.budget)\n")
    print(table(budgets, budget.HEADER))
    print(f"\nFreshness at {freshness.RATE} filings/s, {fresh_seconds} s per run\n")
    print(table(fresh, ["read model: percentile", "median (spread)", "goal", ""]))
    for found in profiles:
        print(f"\nWhere the consumer runner's time goes ({found.store}), {count} events, {repeat} runs\n")
        print("\n".join(found.lines()))
    return scale.main([])


if __name__ == "__main__":
    sys.exit(main())

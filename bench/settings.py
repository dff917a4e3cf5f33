"""The benches' settings, read from the environment here and nowhere else.

KAFKA_BOOTSTRAP_SERVERS   the broker of the throughput, profile, rebuild and freshness benches
BENCH_POSTGRES_URL        a PostgreSQL server: the benches run on it too (else SQLite only)
BENCH_REPEAT              alternating runs of each comparison (each bench has its default)
BENCH_EVENTS              events a run of the runner and the relay (20,000)
BENCH_SCORING_EVENTS      events of the scoring rebuild (50,000)
BENCH_LATENCY_SECONDS     seconds a latency run (20); BENCH_FRESHNESS_SECONDS likewise (20)
BENCH_PARTITIONS          the partition counts of bench.partitions (1,2,4)
BENCH_KILLS               relay kills of bench.replicas (5)
KAFKA_CLUSTER_PORT        the first port of the three-node cluster of its own (49092)
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchSettings:
    """What the environment asks of the benches."""

    kafka: str | None
    postgres: str | None
    test_postgres: str | None
    repeat: int | None
    events: int
    scoring_events: int
    latency_seconds: int
    freshness_seconds: int
    partitions: tuple[int, ...]
    kills: int
    cluster_port: int

    def runs(self, default: int) -> int:
        """Return the alternating runs asked for, else the bench's own default."""
        return self.repeat or default

    def broker(self) -> str | None:
        """Return the broker's bootstrap servers, or say how to get one (on stderr) and return None."""
        if not self.kafka:
            print(
                "set KAFKA_BOOTSTRAP_SERVERS (make kafka-start starts one on 127.0.0.1:9092)", file=sys.stderr
            )
        return self.kafka

    def server(self) -> str | None:
        """Return the PostgreSQL server of the cluster benches (the tests' one will do), or say it is
        missing (on stderr) and return None."""
        found = self.postgres or self.test_postgres
        if not found:
            print("set BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) to a PostgreSQL server", file=sys.stderr)
        return found


def load() -> BenchSettings:
    """Read the benches' settings from the environment."""
    env = os.environ
    repeat = env.get("BENCH_REPEAT")
    return BenchSettings(
        kafka=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        postgres=env.get("BENCH_POSTGRES_URL") or None,
        test_postgres=env.get("TEST_POSTGRES_URL") or None,
        repeat=int(repeat) if repeat else None,
        events=int(env.get("BENCH_EVENTS", "20000")),
        scoring_events=int(env.get("BENCH_SCORING_EVENTS", "50000")),
        latency_seconds=int(env.get("BENCH_LATENCY_SECONDS", "20")),
        freshness_seconds=int(env.get("BENCH_FRESHNESS_SECONDS", "20")),
        partitions=tuple(int(n) for n in env.get("BENCH_PARTITIONS", "1,2,4").split(",")),
        kills=int(env.get("BENCH_KILLS", "5")),
        cluster_port=int(env.get("KAFKA_CLUSTER_PORT", "49092")),
    )

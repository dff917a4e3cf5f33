"""Measure the suite run as replicas on a local three-node cluster, every replica its own process.

    BENCH_POSTGRES_URL=server [BENCH_KILLS=5] [BENCH_EVENTS=20000] python -m bench.replicas

Starts its own cluster with deploy/kafka.sh (KAFKA_CLUSTER_PORT, default 49092; topics with three
replicas and min ISR 2) and prints, in one run on this machine:
- relay failover: from kill -9 of the relay holding the lease until a standby has published
  (median and max over BENCH_KILLS kills, default failover setting of 10 s);
- consumer pause: how long an event waits from publish to apply in steady state, while a second
  replica joins the group (a rebalance), and after one of the two is killed with -9 (until the
  group's session timeout hands its partitions over);
- end to end: events/s from the first publish until the last event is applied, one replica
  against two, into a PostgreSQL read model;
- the relay's rate on the cluster with Kafka transactions against without, side by side.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.cluster import LocalCluster
from bench.fixtures import bench_catalogue, bench_tables, sample_envelopes, score_data
from bench.rates import relay_rate
from bench.settings import load
from shared.bus import Bus, OutgoingRecord, make_bus
from shared.db import create_engine, fresh_database
from shared.envelope import Envelope
from shared.eventstore import EventStore, NewEvent
from shared.leases import lease_table
from tests.ports import listening, port_of

ROOT = Path(__file__).resolve().parent.parent
PARTITIONS = 6


class Replicas:
    """Replica processes of one bench, each logged to its own file."""

    def __init__(self, role: str, database_url: str, bus_url: str, topic: str, logs: Path):
        self.args = ["-m", "bench.replica", role, database_url, bus_url, topic]
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports: dict[int, int] = {}

    def start(self) -> subprocess.Popen[bytes]:
        """Start one more replica, with its health endpoint on a port of its own."""
        sock = listening()  # handed to the replica's health server: no port is let go before it binds
        port = port_of(sock)
        log = open(self.logs / f"replica-{len(self.ports)}.log", "ab")  # noqa: SIM115 - kept with the process
        env = {**os.environ, "WORKER_METRICS_PORT": f"fd://{sock.fileno()}", "THIDUA_LOG_LEVEL": "WARNING"}
        process = subprocess.Popen(
            [sys.executable, *self.args], cwd=ROOT, env=env, stdout=log, stderr=log, pass_fds=[sock.fileno()]
        )
        sock.close()  # the replica holds it now
        self.processes.append(process)
        self.ports[process.pid] = port
        return process

    def by_pid(self, pid: int) -> subprocess.Popen[bytes]:
        """Return the replica with that process id."""
        return next(p for p in self.processes if p.pid == pid)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """Kill a replica with SIGKILL."""
        process.kill()
        process.wait()
        self.processes.remove(process)

    def partitions_held(self) -> int:
        """Return how many partitions the live replicas hold between them (from their /readyz)."""
        held = 0
        for process in self.processes:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.ports[process.pid]}/readyz", timeout=2
                ) as r:
                    held += len(json.loads(r.read())["details"]["loops"]["consume"]["partitions"])
            except OSError:
                pass
        return held

    def stop(self) -> None:
        """Stop every replica."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(30)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    """Poll until a condition holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {what}")
        time.sleep(0.02)


@contextmanager
def bench_database(server: str) -> Iterator[tuple[str, sa.Engine]]:
    """Yield a fresh database with the bench tables and a leases table."""
    metadata, *_ = bench_tables()
    lease_table(metadata)
    with fresh_database(server, prefix="bench") as url:
        engine = create_engine(url)
        metadata.create_all(engine)
        try:
            yield url, engine
        finally:
            engine.dispose()


def scalar(engine: sa.Engine, sql: str) -> Any:
    """Run a one-value query."""
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def number(engine: sa.Engine, sql: str) -> int:
    """Run a one-number query (NULL counts as 0)."""
    return int(scalar(engine, sql) or 0)


def published_past(engine: sa.Engine, position: int) -> bool:
    """Return whether the relay has published beyond a position."""
    return number(engine, "SELECT coalesce(max(position), 0) FROM relay_progress") > position


def relay_failovers(server: str, bus_url: str, kills: int, logs: Path) -> list[float]:
    """Kill the relay holding the lease ``kills`` times; return the seconds until a standby published."""
    topic = "bench.failover"
    with bench_database(server) as (url, engine):
        _metadata, events, *_ = bench_tables()
        store = EventStore(events, bench_catalogue(topic), "bench")
        stop = threading.Event()

        def feed() -> None:
            n = 0
            while not stop.wait(0.02):
                with engine.begin() as conn:
                    store.append(conn, f"school-{n}", 0, [NewEvent("ScoreRecorded", score_data(n))])
                n += 1

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        replicas = Replicas("relay", url, bus_url, topic, logs)
        replicas.start(), replicas.start()
        times = []
        try:
            progress = "SELECT coalesce(max(position), 0) FROM relay_progress"
            holder = "SELECT holder FROM leases WHERE name = 'bench-relay' AND expires_at > 0"
            wait_for(lambda: number(engine, progress) > 0, "the first relay to publish")
            for _ in range(kills):
                pid = int(str(scalar(engine, holder)).split(":")[1])
                replicas.kill(replicas.by_pid(pid))
                killed_at, position = time.monotonic(), number(engine, progress)
                wait_for(partial(published_past, engine, position), "a standby to publish", 60)
                times.append(time.monotonic() - killed_at)
                replicas.start()  # the killed one comes back, as a standby
                time.sleep(2)
        finally:
            stop.set()
            feeder.join()
            replicas.stop()
        return times


def rebalance_pauses(server: str, bus: Bus, bus_url: str, logs: Path) -> dict[str, list[float]]:
    """Return each event's wait from publish to apply: steady, while a replica joins, after one is killed."""
    topic = "bench.rebalance"
    bus.ensure_topics([topic])
    published: dict[str, float] = {}
    with bench_database(server) as (url, engine):
        stop = threading.Event()

        def feed() -> None:
            for envelope in sample_envelopes(1_000_000):
                if stop.wait(0.01):
                    return
                published[envelope.id] = time.time()
                bus.publish([OutgoingRecord(topic, *envelope.to_record())])

        replicas = Replicas("consume", url, bus_url, topic, logs)
        first = replicas.start()
        wait_for(lambda: replicas.partitions_held() == PARTITIONS, "the first consumer to join")
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        time.sleep(8)
        joined_at = time.time()
        replicas.start()
        time.sleep(12)
        killed_at = time.time()
        replicas.kill(first)
        time.sleep(20)
        stop.set()
        feeder.join()
        wait_for(
            lambda: number(engine, "SELECT count(*) FROM processed_events") >= len(published),
            "every published event to be applied",
            60,
        )
        replicas.stop()
        with engine.connect() as conn:
            applied: dict[str, Any] = {
                row.event_id: row.processed_at
                for row in conn.execute(sa.text("SELECT event_id, processed_at FROM processed_events"))
            }
    waits: dict[str, list[float]] = {"steady": [], "join": [], "kill": []}
    for event_id, at in published.items():
        # Events in flight when the replica was killed wait for the group to notice: they count as "kill".
        phase = "steady" if at < joined_at else "join" if at < killed_at - 2 else "kill"
        done = applied[event_id]
        done = done if isinstance(done, datetime) else datetime.fromisoformat(str(done))
        waits[phase].append(done.timestamp() - at)
    return waits


def end_to_end(
    server: str,
    bus: Bus,
    bus_url: str,
    count: int,
    replicas_wanted: int,
    logs: Path,
    partitions: int = PARTITIONS,
) -> float:
    """Start the replicas, publish ``count`` events, and return events/s until the last is applied.

    The topic has ``partitions`` partitions (the bus must make topics with as many)."""
    topic = f"bench.throughput.{replicas_wanted}.{uuid.uuid4().hex[:6]}"
    bus.ensure_topics([topic])
    envelopes: list[Envelope] = sample_envelopes(count)
    with bench_database(server) as (url, engine):
        replicas = Replicas("consume", url, bus_url, topic, logs)
        for _ in range(replicas_wanted):
            replicas.start()
        wait_for(lambda: replicas.partitions_held() == partitions, "the group to settle")
        started = time.monotonic()
        for first in range(0, count, 2000):
            bus.publish([OutgoingRecord(topic, *e.to_record()) for e in envelopes[first : first + 2000]])
        wait_for(
            lambda: number(engine, "SELECT count(*) FROM processed_events") >= count,
            "every event to be applied",
            600,
        )
        elapsed = time.monotonic() - started
        replicas.stop()
    return count / elapsed


def relay_with_and_without_transactions(server: str, bus_url: str, count: int) -> dict[bool, list[float]]:
    """Time the relay publishing ``count`` events to the cluster, in Kafka transactions and without,
    alternating three times each (each run its own store and topic)."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(3):
        for transactional in (True, False):
            with bench_database(server) as (url, _engine):
                topic = f"bench.relay.{uuid.uuid4().hex[:8]}"
                rates[transactional].append(relay_rate(url, bus_url, topic, count, transactional))
    return rates


def main() -> int:
    """Run the replica benches and print the figures."""
    settings = load()
    if not (server := settings.server()):
        return 2
    kills, count = settings.kills, settings.events
    logs = Path(tempfile.mkdtemp(prefix="thidua-bench-replicas-"))
    cluster = LocalCluster(settings.cluster_port, logs / "cluster")
    cluster.start()
    try:
        bus_url = f"kafka://{cluster.bootstrap}?namespace=bench{uuid.uuid4().hex[:6]}."
        bus = make_bus(bus_url, partitions=PARTITIONS, replication=3, min_insync=2)
        bus.ensure_topics(["bench.failover"])
        failovers = relay_failovers(server, bus_url, kills, logs)
        waits = rebalance_pauses(server, bus, bus_url, logs)
        one = end_to_end(server, bus, bus_url, count, 1, logs)
        two = end_to_end(server, bus, bus_url, count, 2, logs)
        relays = relay_with_and_without_transactions(server, bus_url, count)
        bus.close()
    finally:
        cluster.stop()
    print(f"\nreplicas on a three-node cluster ({cluster.bootstrap}), PostgreSQL, logs in {logs}\n")
    print(f"  relay failover after kill -9 ({kills} kills, THIDUA_FAILOVER_SECONDS=10):")
    print(
        f"    median {statistics.median(failovers):.1f} s, max {max(failovers):.1f} s "
        f"({', '.join(f'{t:.1f}' for t in failovers)})"
    )
    print("  wait from publish to apply, 100 events/s, 6 partitions:")
    for phase, label in (
        ("steady", "one replica"),
        ("join", "a second joins"),
        ("kill", "one of two killed"),
    ):
        values = waits[phase]
        print(
            f"    {label:<20} p50 {statistics.median(values) * 1000:7.0f} ms"
            f"   max {max(values) * 1000:7.0f} ms"
        )
    print(
        f"  end to end, {count} events: one replica {one:,.0f} events/s, two {two:,.0f} events/s "
        f"(ratio {two / one:.2f})"
    )
    with_tx, without = (statistics.median(relays[k]) for k in (True, False))
    print(
        f"  relay, {count} events, PostgreSQL store, replication 3: with transactions {with_tx:,.0f} "
        f"events/s, without {without:,.0f} events/s (ratio {with_tx / without:.2f}; 3 alternating runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The consumer runner and the relay with 1, 2 and 4 partitions, the runner with as many replicas, on the
local three-node cluster (replication 3, min ISR 2), into PostgreSQL, in one run.

    BENCH_POSTGRES_URL=server [BENCH_EVENTS=20000] [BENCH_PARTITIONS=1,2,4] python -m bench.partitions

For each partition count: the runner's rate end to end (the first publish until the last event is
applied, every replica its own process in one group, one partition each), and the relay's rate publishing
a filled store to a topic of that many partitions. The relay runs under a lease, one holder per service
at a time (its standbys wait), so its rate is one process's whatever the partitions. Everything shares
this machine's cores: where the replicas outnumber the cores, the rate says what the cores allow, not
what more machines would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

from bench.cluster import LocalCluster
from bench.rates import relay_rate
from bench.replicas import bench_database, end_to_end
from bench.settings import load
from shared.bus import make_bus


def scale(server: str, bus_url: str, count: int, partitions: int, logs: Path) -> tuple[float, float]:
    """Return the runner's events/s with as many replicas as partitions, and the relay's events/s."""
    bus = make_bus(bus_url, partitions=partitions, replication=3, min_insync=2)
    try:
        runner = end_to_end(server, bus, bus_url, count, partitions, logs, partitions=partitions)
        topic = f"bench.relay.{partitions}.{uuid.uuid4().hex[:6]}"
        bus.ensure_topics([topic])  # made here with its partitions; the relay's bus finds it made
        with bench_database(server) as (url, _engine):
            relay = relay_rate(url, bus_url, topic, count)
    finally:
        bus.close()
    return runner, relay


def main() -> int:
    """Run the partition benches on a cluster of their own and print the table."""
    settings = load()
    if not (server := settings.server()):
        return 2
    count, counts = settings.events, settings.partitions
    logs = Path(tempfile.mkdtemp(prefix="thidua-bench-partitions-"))
    cluster = LocalCluster(settings.cluster_port, logs / "cluster")
    cluster.start()
    try:
        bus_url = f"kafka://{cluster.bootstrap}?namespace=bench{uuid.uuid4().hex[:6]}."
        rates = {n: scale(server, bus_url, count, n, logs) for n in counts}
    finally:
        cluster.stop()
    base_runner, base_relay = rates[counts[0]]
    print(f"\n{count} events a run, three-node cluster, PostgreSQL, {os.cpu_count()} cores; logs in {logs}\n")
    print("partitions  runner replicas  runner events/s  ratio  relay events/s  ratio")
    for n, (runner, relay) in rates.items():
        print(
            f"{n:>10}  {n:>15}  {runner:>15,.0f}  {runner / base_runner:>5.2f}"
            f"  {relay:>14,.0f}  {relay / base_relay:>5.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

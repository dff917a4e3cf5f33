"""One replica for the replica benches, as its own process: a leased relay or a consumer.

    python -m bench.replica relay|consume DATABASE_URL BUS_URL TOPIC

The relay publishes the bench store's events under the lease ``bench-relay``; the consumer applies
the topic to the bench read model in the group ``bench-replicas``. THIDUA_FAILOVER_SECONDS sets the
lease timing, as in the services.
"""

from __future__ import annotations

import os
import sys

from bench.fixtures import BenchProjection, bench_catalogue, bench_tables
from shared.bus import make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine
from shared.eventstore import EventStore
from shared.leases import Lease, LeasedLoop, LeaseTiming, lease_table
from shared.process import Loop, Worker, run_worker
from shared.relay import OutboxRelay

GROUP = "bench-replicas"


def main(role: str, database_url: str, bus_url: str, topic: str) -> None:
    """Run one relay or consumer replica until SIGTERM."""
    metadata, events, progress, tracking, model = bench_tables()
    leases = lease_table(metadata)
    engine = create_engine(database_url)
    bus = make_bus(bus_url, partitions=6)
    loop: Loop
    if role == "relay":
        timing = LeaseTiming.for_failover(float(os.environ.get("THIDUA_FAILOVER_SECONDS", "10")))
        lease = Lease(engine, leases, "bench-relay", timing)
        store = EventStore(events, bench_catalogue(topic), "bench")
        relay = OutboxRelay("bench-relay", engine, store, progress, bus, topic, lease=lease)
        loop = LeasedLoop(lease, relay.run)
    else:
        loop = ConsumerRunner(
            BenchProjection(GROUP, [topic], model), engine, tracking, bus, bench_catalogue(topic)
        )
    try:
        run_worker(Worker(f"bench-{role}", {role: loop}, lambda: bus.topic_warnings))
    finally:
        bus.close()
        engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])

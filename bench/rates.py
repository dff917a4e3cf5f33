"""The relay's rate: a store filled with events, timed while the relay publishes them all."""

from __future__ import annotations

import time

from bench.fixtures import bench_catalogue, bench_tables, fill_store
from shared.bus import make_bus
from shared.db import create_engine
from shared.eventstore import EventStore
from shared.relay import OutboxRelay


def relay_rate(database_url: str, bus_url: str, topic: str, count: int, transactional: bool = True) -> float:
    """Fill an event store with ``count`` events and time the relay publishing them; return events/s.

    ``transactional=False`` measures the relay without Kafka transactions (what they cost).
    """
    metadata, events, progress, _tracking, _model = bench_tables()
    engine = create_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    store = EventStore(events, bench_catalogue(topic), "bench")
    fill_store(engine, store, count)
    bus = make_bus(bus_url)
    bus.ensure_topics([topic])
    relay = OutboxRelay("bench-relay", engine, store, progress, bus, topic, transactional=transactional)
    warm_up = relay.publish_batch()  # connect and fetch metadata before the clock starts
    start = time.perf_counter()
    published = relay.drain()
    elapsed = time.perf_counter() - start
    bus.close()
    engine.dispose()
    assert warm_up + published == count, f"relay published {warm_up + published} of {count}"
    return published / elapsed

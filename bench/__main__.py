"""Measure raw kafka-python produce/consume beside the outbox relay and the consumer runner.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_POSTGRES_URL=server] [BENCH_EVENTS=20000] python -m bench

Prints events/s of each and the ratios relay/raw-produce and runner/raw-consume.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer

from bench.fixtures import BenchProjection, bench_catalogue, bench_tables, fill_store, sample_envelopes
from shared.bus import make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine, fresh_database
from shared.envelope import Envelope
from shared.eventstore import EventStore
from shared.relay import OutboxRelay


def raw_produce(servers: str, topic: str, envelopes: list[Envelope]) -> float:
    """Send the records with a bare idempotent producer (acks=all); return events/s."""
    producer = KafkaProducer(
        bootstrap_servers=servers, acks="all", enable_idempotence=True, linger_ms=5, batch_size=256 * 1024
    )
    records = [e.to_record() for e in envelopes]
    start = time.perf_counter()
    for key, headers, value in records:
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    return len(records) / elapsed


def raw_consume(servers: str, topic: str, count: int) -> float:
    """Read ``count`` records from the start of a topic with a bare consumer; return events/s."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=servers,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=1000,
        fetch_max_wait_ms=100,  # as the runner's consumers (shared/bus/kafka.py), so both wait alike
    )
    consumer.poll(timeout_ms=5000, max_records=1)  # join the group before the clock starts
    consumer.seek_to_beginning()
    seen = 0
    start = time.perf_counter()
    while seen < count:
        for messages in consumer.poll(timeout_ms=1000, max_records=1000).values():
            seen += len(messages)
    elapsed = time.perf_counter() - start
    consumer.close()
    return seen / elapsed


def relay_rate(database_url: str, bus_url: str, topic: str, count: int) -> float:
    """Fill an event store with ``count`` events and time the relay publishing them; return events/s."""
    metadata, events, progress, _tracking, _model = bench_tables()
    engine = create_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    store = EventStore(events, bench_catalogue(topic), "bench")
    fill_store(engine, store, count)
    bus = make_bus(bus_url)
    bus.ensure_topics([topic])
    relay = OutboxRelay("bench-relay", engine, store, progress, bus, topic)
    warm_up = relay.publish_batch()  # connect and fetch metadata before the clock starts
    start = time.perf_counter()
    published = relay.drain()
    elapsed = time.perf_counter() - start
    bus.close()
    engine.dispose()
    assert warm_up + published == count, f"relay published {warm_up + published} of {count}"
    return published / elapsed


def runner_rate(database_url: str, bus_url: str, topic: str, count: int) -> float:
    """Apply ``count`` events from a topic to a read model with the consumer runner; return events/s."""
    metadata, _events, _progress, tracking, model = bench_tables()
    engine = create_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    bus = make_bus(bus_url)
    projection = BenchProjection(f"bench-{uuid.uuid4().hex[:6]}", [topic], model)
    runner = ConsumerRunner(projection, engine, tracking, bus, bench_catalogue(topic), batch_size=1000)
    runner.subscription.poll(1, 5.0)  # join the group; the record read here is read again below
    runner.subscription.rewind()
    start = time.perf_counter()
    runner.run_until_caught_up(timeout=600)
    elapsed = time.perf_counter() - start
    applied = runner.stats.applied
    runner.close()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.sum(model.c.applied))).scalar()
    engine.dispose()
    assert rows == count, f"read model holds {rows} events, expected {count}"
    return applied / elapsed


def median_of(repeat: int, measure: Callable[[int], float]) -> float:
    """Run a measurement ``repeat`` times (passing the run number) and return the median rate."""
    return statistics.median(measure(i) for i in range(repeat))


def main() -> int:
    """Run every measurement and print the figures and ratios."""
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not servers:
        print("set KAFKA_BOOTSTRAP_SERVERS (make kafka-start starts one on 127.0.0.1:9092)", file=sys.stderr)
        return 2
    count = int(os.environ.get("BENCH_EVENTS", "20000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    postgres_server = os.environ.get("BENCH_POSTGRES_URL")
    scratch = ExitStack()
    postgres = (
        scratch.enter_context(fresh_database(postgres_server, prefix="bench")) if postgres_server else None
    )
    bus_url = f"kafka://{servers}"
    run = uuid.uuid4().hex[:8]
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    bus = make_bus(bus_url)
    topics = [f"bench.{run}.{kind}.{i}" for kind in ("raw", "relay", "relaypg") for i in range(repeat)]
    bus.ensure_topics(topics)
    bus.close()
    envelopes = sample_envelopes(count)
    source = f"bench.{run}.relay.0"

    results: dict[str, float] = {}
    results["raw kafka-python produce"] = median_of(
        repeat, lambda i: raw_produce(servers, f"bench.{run}.raw.{i}", envelopes)
    )
    results["relay publish (SQLite store)"] = median_of(
        repeat,
        lambda i: relay_rate(
            f"sqlite:///{tmp / f'relay{i}.sqlite'}", bus_url, f"bench.{run}.relay.{i}", count
        ),
    )
    if postgres:
        results["relay publish (PostgreSQL store)"] = median_of(
            repeat, lambda i: relay_rate(postgres, bus_url, f"bench.{run}.relaypg.{i}", count)
        )
    results["raw kafka-python consume"] = median_of(repeat, lambda i: raw_consume(servers, source, count))
    results["runner apply (SQLite read model)"] = median_of(
        repeat, lambda i: runner_rate(f"sqlite:///{tmp / f'model{i}.sqlite'}", bus_url, source, count)
    )
    if postgres:
        results["runner apply (PostgreSQL read model)"] = median_of(
            repeat, lambda i: runner_rate(postgres, bus_url, source, count)
        )

    scratch.close()
    print(f"\n{count} events, median of {repeat} runs each, one broker at {servers}\n")
    for name, rate in results.items():
        print(f"  {name:<40} {rate:>10,.0f} events/s")
    produce, consume = results["raw kafka-python produce"], results["raw kafka-python consume"]
    print()
    for name, rate in results.items():
        if name.startswith("relay"):
            print(f"  ratio {name} / raw produce: {rate / produce:.0%} (goal >= 50%)")
        if name.startswith("runner"):
            print(f"  ratio {name} / raw consume: {rate / consume:.0%} (goal >= 50%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

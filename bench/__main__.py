"""Measure raw kafka-python produce/consume beside the outbox relay and the consumer runner.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_POSTGRES_URL=server] [BENCH_EVENTS=20000] \\
        [BENCH_REPEAT=5] python -m bench

Raw and ours run in turn (raw, ours, raw, ours, ...); each line gives the median and spread of both and of
the pairwise ratios. The consumer is measured with kafka-python's CRC-32C from the crc32c package and with
its pure-Python fallback. ``make bench`` runs this with every other bench and prints one table.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer
from kafka.record import util as kafka_util
from kafka.record._crc32c import crc as crc32c_py
from kafka.record.util import crc32c_c

from bench.fixtures import BenchProjection, as_relayed, bench_catalogue, bench_tables, sample_envelopes
from bench.rates import relay_rate
from bench.settings import load
from bench.stats import HEADER, Comparison, Figure, alternate, table
from shared import tracing
from shared.bus import OutgoingRecord, make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine, fresh_database
from shared.envelope import Envelope
from shared.relay import BATCH_SIZE as RELAY_BATCH


def raw_produce(servers: str, topic: str, envelopes: list[Envelope], transaction_size: int = 0) -> float:
    """Send the records with a bare idempotent producer (acks=all); return events/s.

    ``transaction_size`` > 0 sends them in Kafka transactions of that many records, each flushed and
    committed before the next begins, as the relay does with a batch.
    """
    settings: dict[str, object] = {"acks": "all", "enable_idempotence": True, "linger_ms": 5}
    if transaction_size:
        settings["transactional_id"] = f"raw-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=servers, batch_size=256 * 1024, **settings)
    records = as_relayed(envelopes)
    if transaction_size:
        producer.init_transactions()
    size = transaction_size or len(records)
    start = time.perf_counter()
    for first in range(0, len(records), size):
        if transaction_size:
            producer.begin_transaction()
        for key, headers, value in records[first : first + size]:
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
        if transaction_size:
            producer.commit_transaction()
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


def runner_rate(
    database_url: str,
    bus_url: str,
    topic: str,
    count: int,
    around: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> float:
    """Apply ``count`` events from a topic to a read model with the consumer runner; return events/s.

    ``around`` is entered for the timed part only (bench.profile's stopwatch)."""
    metadata, _events, _progress, tracking, model = bench_tables()
    engine = create_engine(database_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    bus = make_bus(bus_url)
    projection = BenchProjection(f"bench-{uuid.uuid4().hex[:6]}", [topic], model)
    runner = ConsumerRunner(projection, engine, tracking, bus, bench_catalogue(topic), batch_size=1000)
    runner.subscription.poll(1, 5.0)  # join the group; the record read here is read again below
    runner.subscription.rewind()
    with around():
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


def use_crc32c(native: bool) -> None:
    """Make kafka-python check record CRCs with the crc32c package (when installed) or its pure Python."""
    chosen = crc32c_c if native and crc32c_c is not None else crc32c_py
    kafka_util.calc_crc32c.__defaults__ = (chosen,)


def throughput(servers: str, count: int, repeat: int, postgres_server: str | None) -> list[Comparison]:
    """Compare the relay with a raw producer and the runner with a raw consumer, in alternating runs."""
    bus_url = f"kafka://{servers}"
    run = uuid.uuid4().hex[:8]
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    envelopes = sample_envelopes(count)
    source = f"bench.{run}.source"
    bus = make_bus(bus_url)
    bus.ensure_topics([source])
    bus.publish([OutgoingRecord(source, *r) for r in as_relayed(envelopes)])
    bus.close()
    fresh = _fresh_topics(bus_url, run)
    sqlite = _sqlite_files(tmp)

    def consume(_run: int) -> float:
        return raw_consume(servers, source, count)

    def produce(_run: int) -> float:
        return raw_produce(servers, fresh(), envelopes)

    def produce_in_transactions(_run: int) -> float:
        return raw_produce(servers, fresh(), envelopes, transaction_size=RELAY_BATCH)

    def apply_sqlite(_run: int) -> float:
        return runner_rate(sqlite(), bus_url, source, count)

    def apply_postgres(_run: int) -> float:
        return _on_fresh_postgres(postgres_server or "", lambda url: runner_rate(url, bus_url, source, count))

    def relay_sqlite(_run: int) -> float:
        return relay_rate(sqlite(), bus_url, fresh(), count)

    def relay_postgres(_run: int) -> float:
        return _on_fresh_postgres(postgres_server or "", lambda url: relay_rate(url, bus_url, fresh(), count))

    def relay_plain(_run: int) -> float:
        return relay_rate(sqlite(), bus_url, fresh(), count, transactional=False)

    rows = []
    for native in (True, False):
        use_crc32c(native)
        crc = "crc32c" if native else "pure-Python CRC"
        raw, ours = alternate(repeat, consume, apply_sqlite)
        rows.append(_rates(f"runner, SQLite read model ({crc})", ours, f"raw consume ({crc})", raw, 0.70))
    use_crc32c(True)
    in_transactions = f"raw produce, {RELAY_BATCH:,} a transaction"
    pairs = [
        ("runner, PostgreSQL read model", consume, apply_postgres, "raw consume", 0.70),
        ("relay, PostgreSQL store", produce_in_transactions, relay_postgres, in_transactions, 0.70),
    ]
    for name, baseline, subject, beside, goal in [
        ("relay, SQLite store", produce_in_transactions, relay_sqlite, in_transactions, 0.70),
        *(pairs if postgres_server else []),
        ("relay, SQLite store, no transactions", produce, relay_plain, "raw produce, no transactions", 0.70),
    ]:
        raw, ours = alternate(repeat, baseline, subject)
        rows.append(_rates(name, ours, beside, raw, goal))

    def apply_traced(_run: int) -> float:
        with traced():
            return runner_rate(sqlite(), bus_url, source, count)

    untraced, tracing_on = alternate(repeat, apply_sqlite, apply_traced)
    rows.append(_rates("runner, SQLite read model, tracing on", tracing_on, "tracing off", untraced, 0.80))
    return rows


@contextmanager
def traced() -> Iterator[None]:
    """Trace as a configured process does (a span per event, batched to an exporter), spans then dropped."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Dropped(SpanExporter):
        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    tracing.use(provider)
    try:
        yield
    finally:
        tracing.stop_using()
        provider.shutdown()


def _rates(name: str, ours: list[float], beside: str, raw: list[float], goal: float) -> Comparison:
    return Comparison(Figure(name, tuple(ours), "events/s"), Figure(beside, tuple(raw), "events/s"), goal)


def _sqlite_files(directory: Path) -> Callable[[], str]:
    """Return a maker of new SQLite database URLs in a directory."""
    made = iter(range(10**6))
    return lambda: f"sqlite:///{directory / f'bench{next(made)}.sqlite'}"


def _fresh_topics(bus_url: str, run: str) -> Callable[[], str]:
    """Return a maker of new, created topics (each produce run writes to an empty one)."""
    made = iter(range(10**6))

    def fresh() -> str:
        topic = f"bench.{run}.out.{next(made)}"
        bus = make_bus(bus_url)
        bus.ensure_topics([topic])
        bus.close()
        return topic

    return fresh


def _on_fresh_postgres(server: str, measure: Callable[[str], float]) -> float:
    """Run a measurement on an empty PostgreSQL database, dropped afterwards."""
    with fresh_database(server, prefix="bench") as url:
        return measure(url)


def main() -> int:
    """Run the throughput comparisons and print them."""
    settings = load()
    if not (servers := settings.broker()):
        return 2
    count, repeat = settings.events, settings.runs(5)
    rows = throughput(servers, count, repeat, settings.postgres)
    print(f"\n{count} events, {repeat} alternating runs, one broker at {servers}\n")
    print(table([row.row() for row in rows], HEADER))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Consumers under replicas: one hash chain, conflicts retried not dead-lettered, huge letters trimmed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from services.notifications import tables as notification_tables
from services.notifications.contracts import AUDITED_TOPICS
from services.notifications.projections.audit import AuditTrail, verify
from shared.bus import OutgoingRecord, make_bus
from shared.catalogue import Catalogue
from shared.consumer import Consumed, ConsumerRunner
from shared.db import create_engine
from shared.deadletter import KEPT_BYTES, TRIMMED_HEADER
from shared.eventstore import ConcurrencyError
from tests.factories import CounterProjection, catalogue_for, make_envelope, service_tables
from tests.shared.test_consumer import dead_letters


def test_two_audit_replicas_on_postgresql_keep_one_unbroken_chain(kafka_url: str, postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    notification_tables.metadata.create_all(engine)
    bus = make_bus(kafka_url, partitions=6)
    bus.ensure_topics(AUDITED_TOPICS)
    streams = [f"school-{n}" for n in range(60)]
    envelopes = [make_envelope(s, number=v) for v in range(1, 6) for s in streams]
    bus.publish([OutgoingRecord(AUDITED_TOPICS[n % 2], *e.to_record()) for n, e in enumerate(envelopes)])
    runners = [
        ConsumerRunner(
            AuditTrail(), engine, notification_tables.processed_events, bus, Catalogue(), batch_size=7
        )
        for _ in range(2)
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,)) for r in runners]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 90
        while sum(r.stats.applied for r in runners) < len(envelopes) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        for runner in runners:
            runner.close()
    assert all(r.stats.applied > 0 for r in runners), "both replicas applied part of the topics"
    with engine.connect() as conn:
        ids = conn.execute(sa.select(notification_tables.audit_entries.c.event_id)).scalars().all()
        report = verify(conn)
    assert sorted(ids) == sorted(e.id for e in envelopes), "every event recorded exactly once"
    assert report == {"ok": True, "checked": len(envelopes), "first_broken": None}
    assert sum(r.stats.dead_lettered for r in runners) == 0
    engine.dispose()


class ConflictingProjection(CounterProjection):
    """Loses a race with another replica several times (more than the runner's attempts) per event."""

    def __init__(self, *args, conflicts: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.conflicts = conflicts

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        if self.conflicts > 0:
            self.conflicts -= 1
            raise ConcurrencyError("result-1", 3, 4)
        super().apply(conn, consumed)


def test_a_version_conflict_is_retried_with_fresh_state_and_never_dead_lettered(
    embedded_bus_url: str, tmp_path: Path, topic: str
) -> None:
    metadata, _events, _progress, tracking, counters = service_tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'read.sqlite'}")
    metadata.create_all(engine)
    bus = make_bus(embedded_bus_url)
    bus.ensure_topics([topic])
    bus.publish([OutgoingRecord(topic, *make_envelope("s", number=n).to_record()) for n in (1, 2)])
    projection = ConflictingProjection("counter", [topic], counters, conflicts=6)
    runner = ConsumerRunner(
        projection, engine, tracking, bus, catalogue_for(topic), max_attempts=3, backoff=0
    )
    runner.run_until_caught_up()
    runner.close()
    assert runner.stats.dead_lettered == 0
    assert projection.table(engine) == {"s": (3, 2)}


@pytest.mark.kafka
def test_a_dead_letter_too_large_for_the_producer_goes_to_the_dlq_trimmed(
    kafka_url: str, topic: str, tmp_path: Path
) -> None:
    bus = make_bus(kafka_url, partitions=1)
    servers, namespace = kafka_url.removeprefix("kafka://").split("?namespace=")
    # The topic accepts records larger than the suite's producer may send (as an external producer's might).
    admin = KafkaAdminClient(bootstrap_servers=servers)
    admin.create_topics([NewTopic(namespace + topic, 1, 1, topic_configs={"max.message.bytes": "3000000"})])
    admin.close()
    huge = KafkaProducer(bootstrap_servers=servers, max_request_size=3_000_000)
    huge.send(namespace + topic, key=b"big", value=b"x" * 1_500_000, headers=[("ce_id", b"not-an-event")])
    huge.flush()
    huge.close()
    bus.publish([OutgoingRecord(topic, *make_envelope("s", number=7).to_record())])
    metadata, _events, _progress, tracking, counters = service_tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'read.sqlite'}")
    metadata.create_all(engine)
    projection = CounterProjection("counter", [topic], counters)
    runner = ConsumerRunner(projection, engine, tracking, bus, catalogue_for(topic))
    runner.run_until_caught_up(timeout=60)
    runner.close()
    assert projection.table(engine) == {"s": (7, 1)}, "the valid record after the huge one is applied"
    [letter] = dead_letters(bus, topic, 1)
    assert letter.header(TRIMMED_HEADER) is not None
    assert letter.header("dlq_topic") == topic.encode()
    assert (letter.header("dlq_partition"), letter.header("dlq_offset")) == (b"0", b"0")
    assert letter.value is not None and len(letter.value) == KEPT_BYTES
    assert (letter.header("dlq_error") or b"").startswith(b"EnvelopeError")

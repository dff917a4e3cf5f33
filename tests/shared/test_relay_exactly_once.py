"""Each event once on the topic, as a ``read_committed`` reader sees it, whatever happens to a relay.

A relay that dies after its batch reached the topic but before it recorded its progress, a relay
whose publish failed with its fate unknown, and a zombie relay whose transaction is still open when a
new holder takes over: in each case the topic ends with every event exactly once.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from shared.bus import BusUnavailable, OutgoingRecord, Start
from shared.relay import OutboxRelay
from tests.shared.test_relay import append_pings, build


def on_topic(relay: OutboxRelay, topic: str, expected: int) -> Counter[str]:
    """Return how many times each event id is on the topic, read from the start (read_committed)."""
    deadline = time.monotonic() + 30
    while True:
        records = relay.bus.read([topic], Start(), 10_000)
        ids = Counter(r.header("ce_id").decode() for r in records)  # type: ignore[union-attr]
        if sum(ids.values()) >= expected or time.monotonic() > deadline:
            return ids


def test_a_relay_that_died_before_recording_its_progress_publishes_nothing_twice(
    bus_url: str, database_url: str, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, store, relay, runner = build(database_url, bus_url, topic)
    append_pings(engine, store, "a", range(1, 16))

    def crash(previous: int, position: int) -> None:
        raise SystemExit("killed between the publish and its progress")

    monkeypatch.setattr(relay, "_record_progress", crash)
    with pytest.raises(SystemExit):
        relay.publish_batch()  # the first 7 events reached the topic; the progress says 0
    assert relay.position() == 0
    successor = OutboxRelay("test-relay", engine, store, relay.progress, relay.bus, topic, batch_size=7)
    assert successor.drain() == 8  # the other 8: the first 7 were found on the topic
    ids = on_topic(successor, topic, 15)
    assert len(ids) == 15 and set(ids.values()) == {1}, ids
    runner.close()
    engine.dispose()


def test_a_publish_whose_fate_is_unknown_is_read_back_before_the_next_batch(
    bus_url: str, database_url: str, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, store, relay, runner = build(database_url, bus_url, topic)
    append_pings(engine, store, "a", range(1, 11))
    publisher = relay.publisher()
    real_publish = publisher.publish

    def lost_acknowledgement(records, timeout=None):  # type: ignore[no-untyped-def]
        real_publish(records, timeout)
        raise BusUnavailable("the acknowledgement was lost")

    monkeypatch.setattr(publisher, "publish", lost_acknowledgement)
    with pytest.raises(BusUnavailable):
        relay.publish_batch()
    monkeypatch.setattr(publisher, "publish", real_publish)
    assert relay.drain() == 3  # the batch of 7 is already there: only the rest goes out
    ids = on_topic(relay, topic, 10)
    assert len(ids) == 10 and set(ids.values()) == {1}, ids
    runner.close()
    engine.dispose()


@pytest.mark.kafka
def test_a_zombie_relays_open_transaction_is_aborted_when_the_new_holder_takes_over(
    kafka_url: str, database_url: str, topic: str
) -> None:
    engine, store, relay, runner = build(database_url, kafka_url, topic)
    append_pings(engine, store, "a", range(1, 6))
    zombie = relay.bus.transactional_publisher("test-relay")
    zombie.fence()
    producer = zombie._producer  # type: ignore[attr-defined]
    producer.begin_transaction()  # the zombie sends a batch, then is paused before committing it
    producer.send(relay.bus.physical(topic), key=b"z", value=b"{}", headers=[("ce_id", b"zombie")])
    producer.flush(timeout=10)
    assert relay.drain() == 5  # the new holder fences the zombie and publishes
    with pytest.raises(Exception, match=r"(?i)fenc|epoch|abort|invalid"):
        producer.commit_transaction()  # the zombie wakes up: it cannot commit any more
    zombie.close()
    ids = on_topic(relay, topic, 5)
    assert "zombie" not in ids and len(ids) == 5 and set(ids.values()) == {1}, ids
    runner.close()
    engine.dispose()


@pytest.mark.kafka
def test_a_batch_is_one_transaction_all_of_it_or_none(kafka_url: str, topic: str) -> None:
    from shared.bus import make_bus

    bus = make_bus(kafka_url, partitions=3)
    bus.ensure_topics([topic])
    publisher = bus.transactional_publisher("all-or-none")
    good = OutgoingRecord(topic, b"k", [("ce_id", b"1")], b"{}")
    too_large = OutgoingRecord(topic, b"k", [("ce_id", b"2")], b"x" * (2 * 1024 * 1024))
    with pytest.raises(Exception):  # noqa: B017 - refused as too large, or unavailable: either way none lands
        publisher.publish([good, too_large])
    publisher.publish([OutgoingRecord(topic, b"k", [("ce_id", b"3")], b"{}")])
    records = bus.read([topic], Start(), 100)
    assert [r.header("ce_id") for r in records] == [b"3"]
    publisher.close()
    bus.close()

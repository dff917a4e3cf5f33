"""A producer dropped during a broker outage is closed for good: no ``KafkaProducer.__del__`` later
tries to flush it again and prints ``Exception ignored … KafkaTimeoutError`` into the worker's log."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.bus import BusUnavailable, OutgoingRecord
from shared.bus.kafka import KafkaBus
from tests.conftest import LocalBroker
from tests.ports import port_of, refusing

pytestmark = pytest.mark.contract  # the Kafka bus, in a process of its own

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import gc, sys
from shared.bus import BusUnavailable, OutgoingRecord
from shared.bus.kafka import KafkaBus
bus = KafkaBus("127.0.0.1:{port}")
record = OutgoingRecord("t", b"k", [], b"v")
for publish in (lambda: bus.publish([record], timeout=1),
                lambda: bus.transactional_publisher("relay").publish([record], 1)):
    try:
        publish()
    except BusUnavailable:
        print("unavailable", flush=True)
bus.close()
del bus
gc.collect()
print("done", flush=True)
"""


def test_a_producer_dropped_in_an_outage_leaves_no_noise_at_exit() -> None:
    with refusing() as no_broker:  # nothing listens there, nor can start to
        ran = subprocess.run(
            [sys.executable, "-c", SCRIPT.format(port=port_of(no_broker))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert ran.stdout.split() == ["unavailable", "unavailable", "done"], ran.stderr
    assert "Exception ignored" not in ran.stderr, ran.stderr


@pytest.mark.kafka
def test_a_producer_holding_records_when_the_broker_died_is_closed_without_noise(
    own_broker: LocalBroker, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ignored: list[str] = []

    def heard(hook: Any) -> None:  # only Kafka's noise: an earlier test's garbage may be collected here too
        said = f"{hook.exc_type}: {hook.object}"
        if "kafka" in said.lower() or "kafka" in type(hook.object).__module__.lower():
            ignored.append(said)

    monkeypatch.setattr(sys, "unraisablehook", heard)
    bus = KafkaBus(f"127.0.0.1:{own_broker.port}")
    bus.ensure_topics([topic])
    record = OutgoingRecord(topic, b"k", [], b"v")
    bus.publish([record])  # connected, metadata known
    relay = bus.transactional_publisher("noise-check")
    relay.publish([record])
    own_broker.stop()
    with pytest.raises(BusUnavailable):
        bus.publish([record] * 50, timeout=2)  # the records are held by the producer when the wait runs out
    with pytest.raises(BusUnavailable):
        relay.publish([record] * 50, 2)
    relay.close()
    bus.close()
    gc.collect()
    assert ignored == []


@pytest.mark.kafka
def test_adding_a_consumers_offsets_to_a_transaction_fails_within_its_bound_when_the_broker_dies(
    own_broker: LocalBroker, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forwarder once hung 15 minutes in kafka-python's unbounded send_offsets_to_transaction."""
    import time

    from kafka.structs import OffsetAndMetadata
    from kafka.structs import TopicPartition as KafkaTopicPartition

    from shared.bus import kafka_transactions

    bus = KafkaBus(f"127.0.0.1:{own_broker.port}")
    bus.ensure_topics([topic])
    record = OutgoingRecord(topic, b"k", [], b"v")
    forwarder = bus.transactional_publisher("forwarder-bound")
    forwarder.publish([record])  # a producer ready, its transactional id known to the coordinator
    bounded = kafka_transactions._send_offsets

    def broker_dies_first(*args: Any) -> None:
        own_broker.stop()  # the coordinator is gone while the transaction is open
        bounded(*args)

    monkeypatch.setattr(kafka_transactions, "_send_offsets", broker_dies_first)
    offsets = {KafkaTopicPartition(bus.physical(topic), 0): OffsetAndMetadata(1, "", -1)}
    started = time.monotonic()
    with pytest.raises(BusUnavailable):
        forwarder.publish([record], timeout=3, consumed=(offsets, "forwarder-bound-group"))
    waited = time.monotonic() - started
    assert waited < 3 + 5, f"waited {waited:.1f} s"  # the stop itself takes a few seconds
    forwarder.close()
    bus.close()

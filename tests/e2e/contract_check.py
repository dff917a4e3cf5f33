"""Read a topic as an outside system would: librdkafka, the CloudEvents SDK, the published JSON Schemas."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from pathlib import Path

from cloudevents.v1.kafka import KafkaMessage, from_binary
from confluent_kafka import Consumer, TopicPartition
from jsonschema import Draft202012Validator, FormatChecker

from shared.settings import KafkaAuth

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def validators() -> dict[str, Draft202012Validator]:
    """Return a validator per published schema file (e.g. PlanSubmittedV1), checked as 2020-12 schemas."""
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        found[path.stem] = Draft202012Validator(schema, format_checker=FormatChecker())
    return found


def read_as_an_outside_system(
    bootstrap: str, namespace: str, topic: str, auth: KafkaAuth | None = None, timeout: float = 60.0
) -> Counter[str]:
    """Read a whole topic with librdkafka and the CloudEvents SDK, validating each event's data.

    Returns how many events of each type were read; raises on any record the contract does not describe.
    """
    checks = validators()
    topic = namespace + topic
    config: dict[str, object] = {
        "bootstrap.servers": bootstrap,
        "group.id": f"{namespace}contract-{uuid.uuid4().hex[:8]}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",  # the relays publish in transactions
    }
    if auth is not None:
        config.update(
            {
                "security.protocol": auth.protocol,
                "sasl.mechanism": auth.mechanism,
                "sasl.username": auth.username,
                "sasl.password": auth.password,
            }
        )
    consumer = Consumer(config)
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        partitions = [TopicPartition(topic, p, 0) for p in metadata.topics[topic].partitions]
        ends = {tp.partition: consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in partitions}
        consumer.assign(partitions)
        read: Counter[str] = Counter()
        done = {p for p, end in ends.items() if end == 0}
        deadline = time.monotonic() + timeout
        while len(done) < len(ends):
            assert time.monotonic() < deadline, f"could not read {topic} to its end with librdkafka"
            message = consumer.poll(1.0)
            if message is None:  # the end may be a transaction's commit marker: compare positions
                positions = consumer.position(partitions)
                done |= {tp.partition for tp in positions if tp.offset >= ends[tp.partition]}
                continue
            assert message.error() is None, message.error()
            headers = dict(message.headers() or [])
            event = from_binary(KafkaMessage(headers=headers, key=message.key(), value=message.value()))
            inbound = "Inbound" if ".integration.inbound." in topic else ""  # the inbound channel's own
            name = f"{inbound}{event['type']}V{headers['ce_schemaversion'].decode()}"
            checks[name].validate(json.loads(message.value()))
            read[event["type"]] += 1
            if message.offset() + 1 >= ends[message.partition()]:
                done.add(message.partition())
        return read
    finally:
        consumer.close()

"""The operator's reads of Kafka: records from a point, end offsets, group members and lag.

What the CLI and the console show; publish and subscribe stay in shared.bus.kafka. Each read opens
its own short-lived clients and closes them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from kafka import KafkaConsumer
from kafka import TopicPartition as KafkaTopicPartition
from kafka.errors import KafkaError

from shared.bus.base import BusUnavailable, GroupLag, GroupMember, Record, Start, TopicPartition
from shared.bus.kafka_client import KafkaClient


def read(client: KafkaClient, topics: Sequence[str], start: Start, limit: int) -> list[Record]:
    """Read up to ``limit`` records per partition from the earliest offset, an offset, or a time."""
    try:
        consumer = KafkaConsumer(**{**client.consumer_config(None), "consumer_timeout_ms": 1000})
    except KafkaError as exc:
        raise BusUnavailable(f"read failed: {exc}") from exc
    try:
        partitions = [
            KafkaTopicPartition(client.physical(t), p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(client.physical(t)) or ())
        ]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, _first_offset(consumer, tp, start))
        got: dict[KafkaTopicPartition, list[Record]] = {tp: [] for tp in partitions}
        deadline = time.monotonic() + 30

        def pending() -> bool:  # offsets count transaction markers too: compare positions, not counts
            return any(len(got[tp]) < limit and consumer.position(tp) < ends[tp] for tp in partitions)

        while pending() and time.monotonic() < deadline:
            for tp, messages in consumer.poll(timeout_ms=500, max_records=1000).items():
                for m in messages[: limit - len(got[tp])]:
                    got[tp].append(
                        Record(
                            client.logical(m.topic),
                            m.partition,
                            m.offset,
                            m.key,
                            m.headers or [],
                            m.value,
                            m.timestamp,
                        )
                    )
        return [r for tp in partitions for r in got[tp]]
    except KafkaError as exc:
        raise BusUnavailable(f"read failed: {exc}") from exc
    finally:
        consumer.close()


def topic_ends(client: KafkaClient, topics: Sequence[str]) -> dict[TopicPartition, int]:
    """Return the offset the next record of each partition of the topics will get."""
    try:
        consumer = KafkaConsumer(**client.consumer_config(None))
    except KafkaError as exc:
        raise BusUnavailable(f"end offsets failed: {exc}") from exc
    try:
        partitions = [
            KafkaTopicPartition(client.physical(t), p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(client.physical(t)) or ())
        ]
        ends = consumer.end_offsets(partitions) if partitions else {}
        return {(client.logical(tp.topic), tp.partition): int(end) for tp, end in ends.items()}
    except KafkaError as exc:
        raise BusUnavailable(f"end offsets failed: {exc}") from exc
    finally:
        consumer.close()


def group_members(client: KafkaClient) -> list[GroupMember]:
    """Return the live members of this namespace's consumer groups and the partitions each holds."""
    try:
        admin = client.admin()
    except KafkaError as exc:
        raise BusUnavailable(f"group members failed: {exc}") from exc
    try:
        groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(client.namespace)]
        described = admin.describe_groups(groups) if groups else {}
        members = []
        for group, info in sorted(described.items()):
            for member in info.get("members") or []:
                assignment = (member.get("member_assignment") or {}).get("assigned_partitions") or []
                members.append(
                    GroupMember(
                        group.removeprefix(client.namespace),
                        member.get("member_id", ""),
                        member.get("client_id", ""),
                        str(member.get("client_host", "")).lstrip("/"),
                        tuple(_held(client, assignment)),
                    )
                )
        return members
    except KafkaError as exc:
        raise BusUnavailable(f"group members failed: {exc}") from exc
    finally:
        admin.close()


def _held(client: KafkaClient, assignment: Iterable[Any]) -> list[str]:
    """Return ``topic[partition]`` for an assignment as the admin client decodes it."""
    held = []
    for entry in assignment:
        topic, partitions = (
            (entry.get("topic"), entry.get("partitions")) if isinstance(entry, dict) else (entry[0], entry[1])
        )
        held += [f"{client.logical(str(topic))}[{p}]" for p in partitions or ()]
    return sorted(held)


def group_lag(client: KafkaClient) -> list[GroupLag]:
    """Return every group's committed and end offset per partition (groups of this namespace only)."""
    try:
        admin = client.admin()
    except KafkaError as exc:
        raise BusUnavailable(f"group lag failed: {exc}") from exc
    try:
        consumer = KafkaConsumer(**client.consumer_config(None))
    except KafkaError as exc:
        admin.close()
        raise BusUnavailable(f"group lag failed: {exc}") from exc
    try:
        lags = []
        groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(client.namespace)]
        for group, committed in (admin.list_group_offsets(dict.fromkeys(groups)) if groups else {}).items():
            for topic in {tp.topic for tp in committed}:
                consumer.partitions_for_topic(topic)  # load the metadata end_offsets needs
            ends = consumer.end_offsets(list(committed))
            lags += [
                GroupLag(
                    group.removeprefix(client.namespace),
                    client.logical(tp.topic),
                    tp.partition,
                    meta.offset,
                    int(ends.get(tp, meta.offset)),
                )
                for tp, meta in committed.items()
            ]
        return sorted(lags, key=lambda g: (g.group, g.topic, g.partition))
    except KafkaError as exc:
        raise BusUnavailable(f"group lag failed: {exc}") from exc
    finally:
        consumer.close()
        admin.close()


def _first_offset(consumer: KafkaConsumer, tp: KafkaTopicPartition, start: Start) -> int:
    """Return the offset a read starts at on one partition."""
    beginning = consumer.beginning_offsets([tp])[tp]
    if start.offset is not None:
        return max(beginning, start.offset)
    if start.timestamp_ms is not None:
        found = consumer.offsets_for_times({tp: start.timestamp_ms}).get(tp)
        return found.offset if found is not None else consumer.end_offsets([tp])[tp]
    return int(beginning)


def last_records(bus: KafkaClient, topic: str, window: int) -> list[Record]:
    """Return the newest committed record of each partition of a topic (none for an empty partition).

    Each partition is read backwards in growing windows from its last stable offset, skipping the
    markers and aborted records that transactions leave, until a committed record is found.
    """
    try:
        consumer = KafkaConsumer(**{**bus.consumer_config(None), "consumer_timeout_ms": 1000})
    except KafkaError as exc:
        raise BusUnavailable(f"cannot read the topic's tail: {exc}") from exc
    try:
        physical = bus.physical(topic)
        partitions = [
            KafkaTopicPartition(physical, p) for p in sorted(consumer.partitions_for_topic(physical) or ())
        ]
        if not partitions:
            return []
        ends = consumer.end_offsets(partitions)
        starts = consumer.beginning_offsets(partitions)
        found = []
        for tp in partitions:
            consumer.assign([tp])
            record = _newest(consumer, tp, starts[tp], ends[tp], window)
            if record is not None:
                found.append(Record(topic, tp.partition, *record))
        return found
    except KafkaError as exc:
        raise BusUnavailable(f"cannot read the topic's tail: {exc}") from exc
    finally:
        consumer.close()


def _newest(consumer: KafkaConsumer, tp: KafkaTopicPartition, start: int, end: int, window: int) -> Any:
    """Return (offset, key, headers, value, timestamp) of the newest committed record before ``end``."""
    upto = end
    while upto > start:
        begin = max(start, upto - window)
        consumer.seek(tp, begin)
        newest = None
        deadline = time.monotonic() + 30
        while consumer.position(tp) < upto and time.monotonic() < deadline:
            for message in consumer.poll(timeout_ms=500, max_records=1000).get(tp, []):
                if message.offset < upto:
                    newest = (
                        message.offset,
                        message.key,
                        message.headers or [],
                        message.value,
                        message.timestamp,
                    )
        if newest is not None:
            return newest
        upto, window = begin, window * 2
    return None

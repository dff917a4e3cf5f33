"""Operator actions on the event streams, for any bus: tail, lag, and the dead-letter queues.

A DLQ record cannot be deleted from Kafka, so decisions about it (re-driven, discarded) are records
too, on ``thidua.operator.dlq-decisions`` keyed by the DLQ record's address; listing hides decided ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared import tracing
from shared.bus import Bus, OutgoingRecord, Record, Start
from shared.deadletter import DLQ_SUFFIX, REDRIVEN_FOR_HEADER, REDRIVEN_HEADER, TRIMMED_HEADER
from shared.envelope import Envelope, EnvelopeError

DECISIONS_TOPIC = "thidua.operator.dlq-decisions"
SCHOOL_FIELDS = ("school_id", "filer_id", "inspected_school_id")


@dataclass(frozen=True)
class Row:
    """One record as an operator sees it."""

    topic: str
    partition: int
    offset: int
    time: str
    type: str
    stream_id: str
    school_id: str | None
    data: Any
    headers: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        """Return the row as a JSON-ready dict."""
        return self.__dict__.copy()


def describe(record: Record) -> Row:
    """Return an operator's view of a record, whether or not it is a readable event."""
    headers = {k: v.decode(errors="replace") for k, v in record.headers}
    try:
        event = Envelope.from_record(record.key, record.headers, record.value)
        data: Any = dict(event.data)
        kind, stream = event.type, event.stream_id
    except EnvelopeError:
        data = (record.value or b"").decode(errors="replace")
        kind, stream = headers.get("ce_type", "?"), (record.key or b"").decode(errors="replace")
    school = next((str(data[f]) for f in SCHOOL_FIELDS if isinstance(data, dict) and data.get(f)), None)
    moment = datetime.fromtimestamp(record.timestamp_ms / 1000, UTC).isoformat(timespec="seconds")
    return Row(record.topic, record.partition, record.offset, moment, kind, stream, school, data, headers)


def tail(
    bus: Bus,
    topics: Sequence[str],
    start: Start,
    limit: int,
    event_type: str | None = None,
    stream_id: str | None = None,
    school_id: str | None = None,
) -> list[Row]:
    """Return the records of some topics from a start, filtered by type, stream or school, oldest first."""
    rows = [describe(r) for r in bus.read(topics, start, limit)]
    rows = [
        r
        for r in rows
        if (event_type is None or r.type == event_type)
        and (stream_id is None or r.stream_id == stream_id)
        and (school_id is None or r.school_id == school_id)
    ]
    return sorted(rows, key=lambda r: (r.time, r.topic, r.partition, r.offset))


def event_topics(bus: Bus, named: Sequence[str], prefixes: Sequence[str] = ()) -> list[str]:
    """Return the named topics and every existing one under the prefixes (per-system inbound topics),
    without dead-letter topics."""
    found = [t for prefix in prefixes for t in bus.topics(prefix) if not t.endswith(DLQ_SUFFIX)]
    return [*named, *sorted(set(found) - set(named))]


def dead_letters(bus: Bus, topic: str, include_decided: bool = False) -> list[Row]:
    """Return the DLQ records of a topic, without those already re-driven or discarded."""
    dlq = dlq_topic_of(topic)
    bus.ensure_topics([dlq, DECISIONS_TOPIC])
    rows = [describe(r) for r in bus.read([dlq], Start(), 100_000)]
    if include_decided:
        return rows
    decided = _decided(bus)
    return [r for r in rows if _address(r.topic, r.partition, r.offset) not in decided]


def find(bus: Bus, dlq: str, partition: int, offset: int) -> Record | None:
    """Return one DLQ record by its address."""
    return next(
        (
            r
            for r in bus.read([dlq], Start(offset=offset), 1)
            if r.partition == partition and r.offset == offset
        ),
        None,
    )


def redrive(bus: Bus, dlq: str, partition: int, offset: int, actor: str) -> str:
    """Publish a DLQ record again to its original topic, marked as re-driven; return that topic."""
    record = _undecided(bus, dlq, partition, offset)
    original = (record.header("dlq_topic") or b"").decode() or dlq.removesuffix(DLQ_SUFFIX)
    consumer = record.header("dlq_consumer")  # the only consumer to apply the copy
    if record.header(TRIMMED_HEADER) is not None:  # the DLQ holds a cut copy: take the original's bytes
        source = find(
            bus, original, int(record.header("dlq_partition") or 0), int(record.header("dlq_offset") or 0)
        )
        if source is None:
            raise NotFoundInDlq(f"the original of trimmed {_address(dlq, partition, offset)} is gone")
        record = source
    again = (REDRIVEN_HEADER, REDRIVEN_FOR_HEADER)
    headers = [(k, v) for k, v in record.headers if not k.startswith("dlq_") and k not in again]
    headers.append((REDRIVEN_HEADER, _address(dlq, partition, offset).encode()))
    if consumer:  # without it (a DLQ record of an older release) every consumer checks the event id
        headers.append((REDRIVEN_FOR_HEADER, consumer))
    traced = tracing.record_event("redrive", headers, by=actor, dlq=_address(dlq, partition, offset))
    if traced:  # the re-driven copy is applied under the re-drive's span
        headers = [(k, v) for k, v in headers if k not in ("traceparent", "tracestate")] + traced
    bus.ensure_topics([original])
    bus.publish([OutgoingRecord(original, record.key or b"", headers, record.value or b"")])
    _decide(bus, dlq, partition, offset, "redriven", actor)
    return original


def discard(bus: Bus, dlq: str, partition: int, offset: int, actor: str) -> None:
    """Mark a DLQ record as dealt with, without re-driving it."""
    _undecided(bus, dlq, partition, offset)
    _decide(bus, dlq, partition, offset, "discarded", actor)


class NotFoundInDlq(LookupError):
    """No such DLQ record, or it was decided already."""


def _undecided(bus: Bus, dlq: str, partition: int, offset: int) -> Record:
    bus.ensure_topics([dlq, DECISIONS_TOPIC])
    record = find(bus, dlq, partition, offset)
    if record is None:
        raise NotFoundInDlq(f"no record at {_address(dlq, partition, offset)}")
    if _address(dlq, partition, offset) in _decided(bus):
        raise NotFoundInDlq(f"{_address(dlq, partition, offset)} was already re-driven or discarded")
    return record


def _decide(bus: Bus, dlq: str, partition: int, offset: int, action: str, actor: str) -> None:
    decision = {"action": action, "by": actor, "at": datetime.now(UTC).isoformat()}
    bus.publish(
        [
            OutgoingRecord(
                DECISIONS_TOPIC, _address(dlq, partition, offset).encode(), [], json.dumps(decision).encode()
            )
        ]
    )


def decisions(bus: Bus, topic: str | None = None) -> list[dict[str, Any]]:
    """Return the re-drive and discard decisions (of one topic's DLQ, when given), newest first."""
    bus.ensure_topics([DECISIONS_TOPIC])
    rows = []
    for record in bus.read([DECISIONS_TOPIC], Start(), 100_000):
        address = (record.key or b"").decode()
        dlq, _, rest = address.partition(":")
        if topic is not None and dlq != dlq_topic_of(topic):
            continue
        partition, _, offset = rest.partition(":")
        decision = json.loads(record.value or b"{}")
        rows.append({"dlq": dlq, "partition": partition, "offset": offset, **decision})
    return sorted(rows, key=lambda r: str(r.get("at", "")), reverse=True)


def dlq_topic_of(topic: str) -> str:
    """Return the DLQ of a topic (a DLQ is its own)."""
    return topic if topic.endswith(DLQ_SUFFIX) else f"{topic}{DLQ_SUFFIX}"


def _decided(bus: Bus) -> set[str]:
    return {(r.key or b"").decode() for r in bus.read([DECISIONS_TOPIC], Start(), 100_000)}


def _address(topic: str, partition: int, offset: int) -> str:
    return f"{topic}:{partition}:{offset}"


def lag_rows(bus: Bus, groups: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Return every group's lag per partition as JSON-ready rows."""
    wanted = set(groups) if groups else None
    return [
        {
            "group": g.group,
            "topic": g.topic,
            "partition": g.partition,
            "committed": g.committed,
            "end": g.end,
            "lag": g.lag,
        }
        for g in bus.group_lag()
        if wanted is None or g.group in wanted
    ]

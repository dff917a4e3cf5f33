"""CloudEvents 1.0 envelope in Kafka binary content mode.

An event travels as one Kafka record: the key is the stream id (the CloudEvents ``partitionkey``),
every other attribute is a ``ce_`` header, and the value is the JSON data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
EXTENSIONS = (
    "correlationid",
    "causationid",
    "actor",
    "schemaversion",
    "streamversion",
    "traceparent",
    "tracestate",
)

Headers = Sequence[tuple[str, bytes]]


class EnvelopeError(ValueError):
    """A record that cannot be read as one of our CloudEvents."""


@dataclass(frozen=True)
class Envelope:
    """One event as it travels between services."""

    type: str
    source: str
    stream_id: str
    data: Mapping[str, Any]
    schema_version: int = 1
    stream_version: int = 0
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None
    traceparent: str | None = None
    """The W3C trace context the event was recorded in (CloudEvents distributed tracing), if traced."""
    tracestate: str | None = None

    def to_record(self) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
        """Return the Kafka (key, headers, value) of this event in binary content mode."""
        attributes = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": _format_time(self.time),
            "schemaversion": str(self.schema_version),
            "streamversion": str(self.stream_version),
            "correlationid": self.correlation_id,
            "causationid": self.causation_id,
            "actor": self.actor,
            "traceparent": self.traceparent,
            "tracestate": self.tracestate,
        }
        headers = [("content-type", CONTENT_TYPE.encode())]
        headers += [(f"ce_{name}", value.encode()) for name, value in attributes.items() if value is not None]
        value = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        return self.stream_id.encode(), headers, value

    @classmethod
    def from_record(cls, key: bytes | None, headers: Headers, value: bytes | None) -> Envelope:
        """Read an event from a Kafka record in binary content mode; raise EnvelopeError if it is not one."""
        try:
            attrs = {name[3:]: raw.decode() for name, raw in headers if name.startswith("ce_")}
        except (UnicodeDecodeError, AttributeError) as exc:
            raise EnvelopeError("a ce_ header is not UTF-8 text") from exc
        missing = [a for a in ("specversion", "id", "source", "type") if a not in attrs]
        if missing:
            raise EnvelopeError(f"missing CloudEvents attributes: {', '.join(missing)}")
        if attrs["specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"unsupported specversion {attrs['specversion']!r}")
        if not key:
            raise EnvelopeError("record has no key (the stream id)")
        try:
            data = orjson.loads(value) if value else {}
            time = datetime.fromisoformat(attrs["time"]) if "time" in attrs else datetime.now(UTC)
            schema_version = int(attrs.get("schemaversion", "1"))
            stream_version = int(attrs.get("streamversion", "0"))
            stream_id = key.decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise EnvelopeError(f"undecodable event: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("event data must be a JSON object")
        return cls(
            type=attrs["type"],
            source=attrs["source"],
            stream_id=stream_id,
            data=data,
            schema_version=schema_version,
            stream_version=stream_version,
            id=attrs["id"],
            time=time,
            correlation_id=attrs.get("correlationid"),
            causation_id=attrs.get("causationid"),
            actor=attrs.get("actor"),
            traceparent=attrs.get("traceparent"),
            tracestate=attrs.get("tracestate"),
        )


def _format_time(moment: datetime) -> str:
    """Format a timestamp as RFC 3339 in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

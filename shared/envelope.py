"""CloudEvents 1.0 envelope in Kafka binary content mode.

An event travels as one Kafka record: the key is the stream id (the CloudEvents ``partitionkey``),
every other attribute is a ``ce_`` header, and the value is the JSON data.
"""

from __future__ import annotations

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
ATTRIBUTE_HEADERS = {
    f"ce_{name}": name for name in ("specversion", "id", "source", "type", "time", *EXTENSIONS)
}
"""The record headers that carry the attributes this suite reads, by the attribute each carries."""
_HEADER_OF = {name: header for header, name in ATTRIBUTE_HEADERS.items()}
_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())
_DATA_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""A record's value as the standard library wrote it (compact, UTF-8; a timestamp or a dataclass by its
``str``), at a fifth of the cost."""


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
        headers = [_CONTENT_TYPE_HEADER]
        headers += [
            (_HEADER_OF[name], text.encode()) for name, text in attributes.items() if text is not None
        ]
        return self.stream_id.encode(), headers, orjson.dumps(self.data, default=str, option=_DATA_OPTIONS)

    @classmethod
    def from_record(cls, key: bytes | None, headers: Headers, value: bytes | None) -> Envelope:
        """Read an event from a Kafka record in binary content mode; raise EnvelopeError if it is not one."""
        attrs: dict[str, str] = {}
        try:
            for name, raw in headers:  # one lookup a header: the hot path of every consumer
                attribute = ATTRIBUTE_HEADERS.get(name)
                if attribute is not None:
                    attrs[attribute] = raw.decode()
        except (UnicodeDecodeError, AttributeError, TypeError, ValueError) as exc:
            raise EnvelopeError("a header is not a name with UTF-8 text") from exc
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
        return cls.from_fields(
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

    @classmethod
    def from_fields(
        cls,
        *,
        type: str,
        source: str,
        stream_id: str,
        data: Mapping[str, Any],
        schema_version: int,
        stream_version: int,
        id: str,
        time: datetime,
        correlation_id: str | None,
        causation_id: str | None,
        actor: str | None,
        traceparent: str | None,
        tracestate: str | None,
    ) -> Envelope:
        """Return an envelope of fields already read and checked (a record, a stored row), every one given.

        The fields go into the instance's dict at once: the frozen ``__init__`` sets them one by one
        through ``object.__setattr__``, twice the cost of the rest of a record's read (the hot path of
        every consumer and of the relay's reads).
        """
        event = object.__new__(cls)
        event.__dict__.update(
            type=type,
            source=source,
            stream_id=stream_id,
            data=data,
            schema_version=schema_version,
            stream_version=stream_version,
            id=id,
            time=time,
            correlation_id=correlation_id,
            causation_id=causation_id,
            actor=actor,
            traceparent=traceparent,
            tracestate=tracestate,
        )
        return event


def _format_time(moment: datetime) -> str:
    """Format a timestamp as RFC 3339 in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return orjson.dumps(moment, option=orjson.OPT_UTC_Z)[1:-1].decode()  # isoformat's text, at a fifth

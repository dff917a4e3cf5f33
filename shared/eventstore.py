"""The event store: append-only streams with optimistic concurrency, in the service's own database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from shared import tracing
from shared.catalogue import Catalogue, EventType
from shared.envelope import Envelope
from shared.personal import KeyRing, plan_of

ANY_VERSION = -1
# Appends are serialised per database so positions become visible in order (see README, "Outbox").
_APPEND_LOCK_KEY = 0x7448_4455_4100


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it: the expected version is stale."""

    def __init__(self, stream_id: str, expected: int, actual: int):
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class NewEvent:
    """An event a command decided on, before it is stored."""

    type: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """Who caused the events and in reply to what: copied into every stored event's metadata."""

    actor: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredEvent:
    """An event as recorded, with its global position."""

    position: int
    envelope: Envelope


class EventStore:
    """Appends to and reads from the generic events table of one service database."""

    def __init__(self, events: sa.Table, catalogue: Catalogue, source: str, keyring: KeyRing | None = None):
        self.events = events
        self.catalogue = catalogue
        self.source = source
        self.keyring = keyring
        """Seals the personal fields of the events it appends (shared.personal); None: it has none."""
        self._select = sa.select(*(events.c[name] for name in _READ))

    def append(
        self,
        conn: sa.Connection,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        context: Context | None = None,
    ) -> list[Envelope]:
        """Validate and append events to a stream inside the caller's transaction.

        Raises ConcurrencyError when the stream is not at ``expected_version`` (ANY_VERSION skips the check).
        """
        return self.append_many(conn, [(stream_id, expected_version, new_events)], context)

    def append_many(
        self,
        conn: sa.Connection,
        appends: Sequence[tuple[str, int, Sequence[NewEvent]]],
        context: Context | None = None,
    ) -> list[Envelope]:
        """Append to several streams at once (one lock, one version query, one insert); all or nothing."""
        context = context or Context()
        validated = [
            (
                stream_id,
                expected,
                [(self.catalogue[e.type], self.catalogue[e.type].validate(e.data)) for e in events],
            )
            for stream_id, expected, events in appends
        ]
        self.lock_writes(conn)
        now = datetime.now(UTC)
        validated = [(s, expected, self._sealed(conn, typed, now)) for s, expected, typed in validated]
        current = self.stream_versions(conn, [stream_id for stream_id, _, _ in validated])
        trace = tracing.current()
        envelopes = []
        for stream_id, expected, typed in validated:
            version = current.get(stream_id, 0)
            if expected != ANY_VERSION and version != expected:
                raise ConcurrencyError(stream_id, expected, version)
            for offset, (event_type, data) in enumerate(typed, start=1):
                envelopes.append(
                    Envelope(
                        type=event_type.name,
                        source=self.source,
                        stream_id=stream_id,
                        data=data,
                        schema_version=event_type.version,
                        stream_version=version + offset,
                        time=now,
                        correlation_id=context.correlation_id,
                        causation_id=context.causation_id,
                        actor=context.actor,
                        traceparent=trace.get("traceparent"),
                        tracestate=trace.get("tracestate"),
                    )
                )
        if not envelopes:
            return []
        try:
            conn.execute(self.events.insert(), [_row(e, context) for e in envelopes])
        except sa.exc.IntegrityError as exc:  # a writer that did not take the lock got in first
            stream_id, expected, _ = validated[0]
            raise ConcurrencyError(stream_id, expected, self.stream_version(conn, stream_id)) from exc
        return envelopes

    def _sealed(
        self, conn: sa.Connection, typed: list[tuple[EventType, dict[str, Any]]], now: datetime
    ) -> list[tuple[EventType, dict[str, Any]]]:
        """Return the events with their personal fields sealed, inside the append's transaction."""
        sealed = []
        for event_type, data in typed:
            plan = event_type.personal(data) if event_type.personal else plan_of(event_type.schema)
            if plan is not None:
                if self.keyring is None:
                    raise RuntimeError(
                        f"{event_type.name} holds personal data and {self.source} has no key ring"
                    )
                data = self.keyring.seal_event(conn, plan, data, now)
            sealed.append((event_type, data))
        return sealed

    def restore(
        self, conn: sa.Connection, envelopes: Sequence[Envelope], positions: Sequence[int | None] = ()
    ) -> None:
        """Insert events recorded before, as a recovery reads them from the topic: ids, versions, times,
        causes and schema versions kept (readers upcast an older version as they do from the topic), and
        each at its former position where one is given (the next append then comes after the highest)."""
        given = list(positions) or [None] * len(envelopes)
        fresh = [_row(e, Context()) for e, p in zip(envelopes, given, strict=True) if p is None]
        placed = [{**_row(e, Context()), "position": p} for e, p in zip(envelopes, given, strict=True) if p]
        if fresh:
            conn.execute(self.events.insert(), fresh)
        if placed:
            conn.execute(self.events.insert(), placed)
            if conn.dialect.name == "postgresql":  # the sequence must move past the positions placed
                name = self.events.name
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'position'), "
                        f"(SELECT max(position) FROM {name}))"
                    )
                )

    def stream_versions(self, conn: sa.Connection, stream_ids: Sequence[str]) -> dict[str, int]:
        """Return the version of each of several streams (absent when new)."""
        query = (
            sa.select(self.events.c.stream_id, sa.func.max(self.events.c.stream_version))
            .where(self.events.c.stream_id.in_(set(stream_ids)))
            .group_by(self.events.c.stream_id)
        )
        return {stream_id: int(version) for stream_id, version in conn.execute(query)}

    def stream_version(self, conn: sa.Connection, stream_id: str) -> int:
        """Return the version of a stream: the number of events in it, 0 when it is new."""
        query = sa.select(sa.func.max(self.events.c.stream_version)).where(
            self.events.c.stream_id == stream_id
        )
        return int(conn.execute(query).scalar() or 0)

    def load(self, conn: sa.Connection, stream_id: str) -> list[StoredEvent]:
        """Return every event of one stream in order."""
        query = self._select.where(self.events.c.stream_id == stream_id).order_by(
            self.events.c.stream_version
        )
        return [_stored(row) for row in conn.execute(query)]

    def last(self, conn: sa.Connection, stream_id: str) -> StoredEvent | None:
        """Return the latest event of a stream, if it has any."""
        query = (
            self._select.where(self.events.c.stream_id == stream_id)
            .order_by(self.events.c.stream_version.desc())
            .limit(1)
        )
        row = conn.execute(query).first()
        return None if row is None else _stored(row)

    def read_after(self, conn: sa.Connection, position: int, limit: int) -> list[StoredEvent]:
        """Return up to ``limit`` events after a global position, in position order."""
        query = (
            self._select.where(self.events.c.position > position)
            .order_by(self.events.c.position)
            .limit(limit)
        )
        return [_stored(row) for row in conn.execute(query)]

    def latest_position_of(self, conn: sa.Connection, event_ids: Sequence[str]) -> int:
        """Return the highest global position among events of these ids (0 when none is stored)."""
        if not event_ids:
            return 0
        query = sa.select(sa.func.max(self.events.c.position)).where(self.events.c.event_id.in_(event_ids))
        return int(conn.execute(query).scalar() or 0)

    def lock_writes(self, conn: sa.Connection) -> None:
        """Serialise writers until the transaction ends (PostgreSQL; SQLite has one writer at a time)."""
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})


def _row(envelope: Envelope, context: Context) -> dict[str, Any]:
    """Map an envelope to an events-table row."""
    metadata = {
        "source": envelope.source,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "actor": envelope.actor,
        **context.extra,
        **{
            k: v for k, v in (("traceparent", envelope.traceparent), ("tracestate", envelope.tracestate)) if v
        },
    }
    return {
        "event_id": envelope.id,
        "stream_id": envelope.stream_id,
        "stream_version": envelope.stream_version,
        "type": envelope.type,
        "schema_version": envelope.schema_version,
        "data": dict(envelope.data),
        "metadata": metadata,
        "recorded_at": envelope.time,
    }


_READ = (
    "position",
    "event_id",
    "stream_id",
    "stream_version",
    "type",
    "schema_version",
    "data",
    "metadata",
    "recorded_at",
)
"""The events table's columns a stored event is read from, in the order ``_stored`` unpacks them."""


def _stored(row: Sequence[Any]) -> StoredEvent:
    """Map an events-table row of the ``_READ`` columns back to a stored event (by position: a row's
    mapping view costs more than the rest of the read, on the relay's path)."""
    position, event_id, stream_id, stream_version, type_, schema_version, data, meta, recorded_at = row
    envelope = Envelope.from_fields(
        type=type_,
        source=meta.get("source", ""),
        stream_id=stream_id,
        data=data,
        schema_version=schema_version,
        stream_version=stream_version,
        id=event_id,
        time=recorded_at,
        correlation_id=meta.get("correlation_id"),
        causation_id=meta.get("causation_id"),
        actor=meta.get("actor"),
        traceparent=meta.get("traceparent"),
        tracestate=meta.get("tracestate"),
    )
    return StoredEvent(position=position, envelope=envelope)

"""What the chaos test reads back: stored events, topics, consumers' positions, the audit trail, results."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from shared.bus import Bus, Start
from shared.db import create_engine


def query(database_url: str, sql: str, **params: Any) -> list[sa.Row[Any]]:
    """Run one read query on a service database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def stored(database_url: str) -> dict[str, tuple[str, str]]:
    """Return every stored event of a service: event id -> (stream id, type)."""
    rows = query(database_url, "SELECT event_id, stream_id, type FROM events")
    return {r.event_id: (r.stream_id, r.type) for r in rows}


def stream_lengths(database_url: str) -> dict[str, int]:
    """Return the number of events of every stream of a service."""
    rows = query(database_url, "SELECT stream_id, count(*) AS n FROM events GROUP BY stream_id")
    return {r.stream_id: int(r.n) for r in rows}


def relay_behind(database_url: str) -> int:
    """Return how many stored events the service's relay has not published yet."""
    rows = query(
        database_url,
        "SELECT (SELECT coalesce(max(position), 0) FROM events)"
        " - (SELECT coalesce(max(position), 0) FROM relay_progress) AS behind",
    )
    return int(rows[0].behind)


def lease_holder_pid(database_url: str, lease: str) -> int | None:
    """Return the process id in the holder of a lease, if anybody holds it."""
    rows = query(database_url, "SELECT holder FROM leases WHERE name = :name AND expires_at > 0", name=lease)
    return int(rows[0].holder.split(":")[1]) if rows else None


def passed(database_url: str, consumer: str, bus: Bus) -> set[str]:
    """Return the ids of the events below a consumer's positions: those it applied (and, of types it
    does not take, passed over), each at most once by the positions' construction."""
    rows = query(
        database_url,
        "SELECT topic, partition, next_offset FROM consumer_positions WHERE consumer = :c",
        c=consumer,
    )
    ends = {(r.topic, r.partition): r.next_offset for r in rows}
    records = bus.read(sorted({topic for topic, _partition in ends}), Start(), 1_000_000)
    return {
        (r.header("ce_id") or b"").decode() for r in records if r.offset < ends.get((r.topic, r.partition), 0)
    }


def audit_counts(database_url: str) -> Counter[str]:
    """Return how many audit entries each event has."""
    return Counter(r.event_id for r in query(database_url, "SELECT event_id FROM audit_entries"))


def results(database_url: str) -> dict[tuple[int, str, str], Any]:
    """Return scoring's current results: (year, kind, subject) -> body."""
    rows = query(database_url, "SELECT year, kind, subject_id, body FROM results")
    return {(r.year, r.kind, r.subject_id): r.body for r in rows}


def on_topic(bus: Bus, topic: str) -> Counter[str]:
    """Return how many times each event id is on a topic."""
    records = bus.read([topic], Start(), 1_000_000)
    return Counter((r.header("ce_id") or b"").decode() for r in records)


def snapshot(database_url: str) -> dict[str, Any]:
    """Return a service database's events (by stream, in order), state tables and relay progress."""
    engine = create_engine(database_url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            events = metadata.tables["events"]
            streams: dict[str, list[tuple[Any, ...]]] = {}
            for r in conn.execute(sa.select(events).order_by(events.c.position)):
                streams.setdefault(r.stream_id, []).append((r.event_id, r.stream_version, r.type, r.data))
            skipped = {
                *("events", "relay_progress", "leases", "alembic_version"),
                *("processed_events", "consumer_positions"),  # where each consumer got to, not state
            }
            state = {}
            for name, table in metadata.tables.items():
                if name in skipped:
                    continue
                key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
                rows = conn.execute(sa.select(table)).mappings()
                state[name] = {repr(tuple(r[k] for k in key)): dict(r) for r in rows}
            progress = conn.execute(sa.select(metadata.tables["relay_progress"].c.position)).scalar()
            newest = conn.execute(sa.select(sa.func.max(events.c.position))).scalar()
    finally:
        engine.dispose()
    return {"events": streams, "state": state, "progress": progress, "newest": newest}

"""Recovery from Kafka: a publishing service's event store rebuilt from its own topic.

Every event a service records reaches its topic once (the relay's transactions), and the topics keep
everything (``retention.ms=-1``). So a database that is lost comes back from the topic: the events are
imported with their ids, streams, versions, times and causes, in the order the service recorded them
(the relay puts each event's store position on its record, ``thidua_position``; records published
before it are ordered by time, each partition in its own order). Each event comes back at the position
its record carries (positions may have gaps), so what the service records afterwards takes positions
past every one on the topic, and a second recovery orders the topic as the first did. Then the state
tables are applied again, and the relay's progress set past every imported event, so nothing is
published twice.

A database restored from an older backup is *reconciled*: the events on the topic that it lacks are
imported after its own, and those it holds that never reached the topic are published now. What the
service's consumers keep is their service's to restore (``services.commands.recover``).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import sqlalchemy as sa

from shared.bus import OutgoingRecord, Record, Start
from shared.envelope import Envelope, EnvelopeError
from shared.relay import POSITION_HEADER
from shared.service import ServiceContext

log = logging.getLogger(__name__)


class DatabaseNotEmpty(Exception):
    """Recovery into a database that holds events, without being told to reconcile."""


@dataclass
class Recovery:
    """What a recovery found and did."""

    on_topic: int = 0
    """Events read from the topic."""
    held: int = 0
    """Events the database already held (reconcile)."""
    imported: int = 0
    published: list[str] = field(default_factory=list)
    """Ids of events the database held that had never reached the topic, published now."""
    undecodable: int = 0
    position: int = 0
    """The relay's progress afterwards: the newest position of the store."""
    state_applied: int = 0

    def lines(self) -> list[str]:
        """Return the report, one line per figure."""
        return [
            f"events on the topic: {self.on_topic}",
            f"already in the database: {self.held}",
            f"imported from the topic: {self.imported}",
            f"published now (in the database, never on the topic): {len(self.published)}",
            f"records that are not events of the suite (skipped): {self.undecodable}",
            f"state applied again from {self.state_applied} events",
            f"relay progress: position {self.position}",
        ]


def recover(service: ServiceContext, topic: str, reconcile: bool = False, batch: int = 5000) -> Recovery:
    """Import the topic's events the database lacks, apply the state again and set the relay's progress.

    Refuses (DatabaseNotEmpty) a database that holds events unless ``reconcile``. Run it with the
    service's workers stopped: nothing else may write its store meanwhile.
    """
    report = Recovery()
    store, events = service.store, service.metadata.tables["events"]
    with service.engine.connect() as conn:
        held = int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0)
    if held and not reconcile:
        raise DatabaseNotEmpty(
            f"{service.settings.service}'s database holds {held} events: reconcile, or empty it"
        )
    service.bus.ensure_topics([topic])
    envelopes, report.undecodable, positions = _ordered(service.bus.read([topic], Start(), 1_000_000_000))
    report.on_topic = len(envelopes)
    on_topic = {e.id for e in envelopes}
    with service.transaction() as conn:
        store.lock_writes(conn)
        known = _known_ids(conn, events, [e.id for e in envelopes], batch)
        report.held = len(known)
        missing = [e for e in envelopes if e.id not in known]
        kept = _kept_positions(conn, events, missing, positions)
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            store.restore(conn, chunk, [kept.get(e.id) for e in chunk])
        report.imported = len(missing)
        unpublished = _not_on_topic(conn, service, on_topic) if held else []
    if unpublished:
        records = [OutgoingRecord(topic, *e.to_record()) for e in unpublished]
        service.bus.transactional_publisher(f"{service.settings.service}-relay").publish(records)
        report.published = [e.id for e in unpublished]
    report.state_applied = service.rebuild_state()
    report.position = _set_progress(service)
    log.info("recovery of %s from %s: %s", service.settings.service, topic, "; ".join(report.lines()))
    return report


def _kept_positions(
    conn: sa.Connection, events: sa.Table, missing: Sequence[Envelope], positions: dict[str, int]
) -> dict[str, int]:
    """Return the positions the missing events come back at: those their records carry, when they all
    lie past what the store holds and the events without one, in order; none otherwise (new ones)."""
    floor = int(conn.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)
    floor += sum(1 for e in missing if e.id not in positions)
    carried = [positions[e.id] for e in missing if e.id in positions]
    if carried and (carried[0] <= floor or any(b <= a for a, b in pairwise(carried))):
        log.warning("recovery: the topic's positions clash with the store's; events take new positions")
        return {}
    return {e.id: positions[e.id] for e in missing if e.id in positions}


def _ordered(records: Iterable[Record]) -> tuple[list[Envelope], int, dict[str, int]]:
    """Return the records' events in the order they were recorded, how many were not events, and the
    store position each record carries (by event id).

    Records with a position come in its order. Older ones (none) are merged partition by partition,
    each partition's order kept, by the time of the event.
    """
    by_partition: dict[tuple[str, int], list[tuple[int, Envelope]]] = {}
    undecodable = 0
    for record in records:
        try:
            envelope = Envelope.from_record(record.key, record.headers, record.value)
        except EnvelopeError:
            undecodable += 1
            continue
        raw = record.header(POSITION_HEADER)
        position = int(raw) if raw and raw.isdigit() else -1
        by_partition.setdefault((record.topic, record.partition), []).append((position, envelope))
    positioned = sorted(
        (item for items in by_partition.values() for item in items if item[0] >= 0), key=lambda i: i[0]
    )
    unpositioned = [[e for p, e in items if p < 0] for items in by_partition.values()]
    merged = heapq.merge(*unpositioned, key=lambda e: e.time)
    carried = {e.id: p for p, e in positioned}
    return [*merged, *(e for _, e in positioned)], undecodable, carried


def _known_ids(conn: sa.Connection, events: sa.Table, ids: Sequence[str], batch: int) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        known |= set(conn.execute(sa.select(events.c.event_id).where(events.c.event_id.in_(chunk))).scalars())
    return known


def _not_on_topic(conn: sa.Connection, service: ServiceContext, on_topic: set[str]) -> list[Envelope]:
    """Return the events of the store that are not on the topic, in store order."""
    found, position = [], 0
    while stored := service.store.read_after(conn, position, 5000):
        found += [s.envelope for s in stored if s.envelope.id not in on_topic]
        position = stored[-1].position
    return found


def _set_progress(service: ServiceContext) -> int:
    """Set the relay's progress to the store's newest position: everything there is on the topic now."""
    events = service.metadata.tables["events"]
    progress = service.metadata.tables["relay_progress"]
    name = f"{service.settings.service}-relay"
    with service.transaction() as conn:
        newest = int(conn.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0)
        where = progress.c.relay == name
        if conn.execute(progress.update().where(where).values(position=newest)).rowcount == 0:
            conn.execute(progress.insert().values(relay=name, position=newest))
    return newest


def mark_answered(service: ServiceContext, tracking: sa.Table, consumer: str) -> int:
    """Mark as applied, for a policy, every event that caused one of the store's events; return how many.

    A policy's answers carry the id of the event they answer as their cause: once they are back in the
    store, the policy must not answer those events again when it reads its topics from the start.
    """
    events = service.metadata.tables["events"]
    now = service.clock()
    with service.transaction() as conn:
        causes = {
            meta.get("causation_id")
            for meta in conn.execute(sa.select(events.c.metadata)).scalars()
            if isinstance(meta, dict)
        }
        mine = tracking.c.consumer == consumer
        known = set(conn.execute(sa.select(tracking.c.event_id).where(mine)).scalars())
        fresh = sorted(c for c in causes - known if isinstance(c, str) and c)
        rows = [{"consumer": consumer, "event_id": c, "processed_at": now} for c in fresh]
        if rows:
            conn.execute(tracking.insert(), rows)
    return len(rows)

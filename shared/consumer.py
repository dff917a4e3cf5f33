"""The consumer runner: applies events to a read model exactly once in effect.

A batch is applied in the same database transaction as the consumer's position in each of its
partitions (the offset of the next record to apply); the bus offset is committed only after that
transaction. A crash between the two makes the bus deliver the batch again, and the positions make the
repeat a no-op. Relays publish in transactions and consumers read ``read_committed``, so a partition
carries each event once: one row a partition does what a row an event would.

This holds for what the suite's relays publish (each record carries its store position, a relay's
header). Any other record can arrive as a copy, and is also checked by its event id (a tracking row):
a re-drive from a DLQ (applied only by the consumer that dead-lettered it; the others applied the
original), a record without a relay's header (another producer), every record of a topic fed from
outside (``ConsumerOptions.checks_event_ids``), a policy reading its topics again after its database
was recovered, and, for a consumer that has tracking rows (a runner of tracking rows alone left them),
the first batch of a partition with no position yet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from shared import tracing
from shared.backoff import exponential
from shared.bus import Bus, BusUnavailable, Record, RecordTooLarge, Subscription, TopicPartition
from shared.catalogue import Catalogue, InvalidEventData, UnknownEventType
from shared.db import (
    POSITIONS,
    advance_positions,
    claim,
    hold_positions,
    is_transient,
    serialise,
    transaction,
)
from shared.deadletter import REDRIVEN_FOR_HEADER, REDRIVEN_HEADER, dead_letter, dlq_topic, trimmed
from shared.envelope import Envelope, EnvelopeError
from shared.eventstore import ConcurrencyError
from shared.logs import bound_correlation
from shared.metrics import CONSUMED, DUPLICATES, FAILED
from shared.relay import POSITION_HEADER

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
"""Told (records read, records to read) as a catch-up or rebuild goes on."""


@dataclass(frozen=True)
class Consumed:
    """An event read from the bus: the record, its envelope and its data upcast to the current version."""

    record: Record
    event: Envelope
    data: dict[str, Any]


@dataclass(frozen=True)
class ConsumerOptions:
    """How a runner treats a projection's events, declared by the projection as ``options``."""

    accepts_any_type: bool = False
    """See events the catalogue does not declare, with their data as sent (the audit trail wants all)."""
    rejects_unknown_types: bool = False
    """Dead-letter an event of an undeclared type instead of skipping it (a topic fed from outside)."""
    serialised: bool = False
    """Apply the replicas' batches one at a time, in the database: for an effect that is sequential
    (a hash chain) or computed from all of the read model's state (a cluster's results)."""
    checks_event_ids: bool = False
    """Check every record's event id: its topic is fed from outside, where a sender may send a copy."""


DEFAULT_OPTIONS = ConsumerOptions()


class Projection(Protocol):
    """A read model fed by events: the consumer name, its topics, one apply and a reset.

    Optional members: ``options`` (a :class:`ConsumerOptions`); ``apply_batch(conn, items)``, which
    replaces one ``apply`` per event when a read model can fold a batch into fewer statements; and
    ``handlers`` (a shared.handlers.Handlers), checked against the runner's catalogue when the runner is
    made: a handler for a type the catalogue does not declare is an error at start.
    """

    @property
    def name(self) -> str:
        """The consumer (and consumer group) name."""
        ...

    @property
    def topics(self) -> Sequence[str]:
        """The topics the read model is fed from."""
        ...

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Change the read model for one event, inside the given transaction."""
        ...

    def reset(self, conn: sa.Connection) -> None:
        """Empty the read model, inside the given transaction."""
        ...


class Policy:
    """Base of a consumer that answers events by recording events of its own service (a policy).

    What it records stays in its service's event store for good, so there is no read model to empty:
    it is never rebuilt, only resumed (its tracking rows say what it has answered).
    """

    rebuildable = False

    def reset(self, conn: sa.Connection) -> None:
        """Refuse: a policy's effects are its own service's events, never emptied."""
        raise NotRebuildable(f"{type(self).__name__} records events of its own service: it is never rebuilt")


class NotRebuildable(Exception):
    """A rebuild was asked of a consumer whose effects are events, not a read model."""


class Interrupted(Exception):
    """The process stops while an event waits out an outage: the batch is left, uncommitted."""


class Rejected(Exception):
    """A projection's verdict that an event must never be applied (a forged signature): dead-letter it now."""


@dataclass
class ConsumerStats:
    """What a runner has done since it started."""

    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0


class ConsumerRunner:
    """Feeds one projection from the bus, one consumer group per projection."""

    def __init__(
        self,
        projection: Projection,
        engine: sa.Engine,
        tracking: sa.Table,
        bus: Bus,
        catalogue: Catalogue,
        max_attempts: int = 3,
        batch_size: int = 500,
        backoff: float = 0.05,
        max_backoff: float = 5.0,
    ):
        self.projection = projection
        self.engine = engine
        self.tracking = tracking
        self.positions = tracking.metadata.tables[POSITIONS]  # declared beside it by tracking_table
        self.bus = bus
        self.catalogue = catalogue
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = ConsumerStats()
        self._subscription: Subscription | None = None
        self._stop = threading.Event()  # set by the process's stop while ``run`` runs
        self._checking_ids = False  # while a policy reads its topics again after a recovery
        self.options: ConsumerOptions = getattr(projection, "options", DEFAULT_OPTIONS)
        handlers = getattr(projection, "handlers", None)
        if handlers is not None:
            handlers.check(catalogue)

    @property
    def subscription(self) -> Subscription:
        """Return the group's subscription, joining on first use (BusUnavailable while the bus is down)."""
        if self._subscription is None:
            topics = list(self.projection.topics)
            self.bus.ensure_topics([*topics, *(dlq_topic(t) for t in topics)])
            self._subscription = self.bus.subscribe(self.projection.name, topics, self.own_positions)
        return self._subscription

    def own_positions(self, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
        """Return where this consumer's positions say it goes on in the partitions it is given (the bus
        seeks there); none when the database does not answer (then the group's offsets are used)."""
        table = self.positions
        query = sa.select(table.c.topic, table.c.partition, table.c.next_offset).where(
            table.c.consumer == self.projection.name
        )
        wanted = set(partitions)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except sa.exc.SQLAlchemyError as exc:
            log.warning(
                "consumer %s: positions unreadable (%s); using the group's", self.projection.name, exc
            )
            return {}
        return {(r.topic, r.partition): int(r.next_offset) for r in rows if (r.topic, r.partition) in wanted}

    def assigned(self) -> list[TopicPartition]:
        """Return the partitions this replica holds now (for /readyz)."""
        held = getattr(self._subscription, "assigned", None)
        return [] if held is None else list(held())

    def describe(self) -> dict[str, Any]:
        """Say which group this is, the partitions it holds and what it has done."""
        return {
            "group": self.projection.name,
            "partitions": [f"{topic}[{partition}]" for topic, partition in self.assigned()],
            "applied": self.stats.applied,
            "dead_lettered": self.stats.dead_lettered,
        }

    def run(self, stop: threading.Event, poll_timeout: float = 0.5) -> None:
        """Consume until ``stop`` is set; the batch in hand is finished and committed first, unless it
        waits on an outage: then it is left uncommitted, to be read again by whoever consumes next."""
        self._stop = stop
        while not stop.is_set():
            self.step(poll_timeout, stop)

    def step(self, poll_timeout: float = 0.5, stop: threading.Event | None = None) -> int:
        """Poll one batch, apply it and commit its offsets; return how many records it held."""
        try:
            records = self.subscription.poll(self.batch_size, poll_timeout)
        except BusUnavailable as exc:
            log.warning("consumer %s: bus unavailable: %s", self.projection.name, exc)
            _pause(stop, self.max_backoff / 5)
            return 0
        if records:
            try:
                self.handle(records)
                self.subscription.commit(_next_offsets(records))
            except Interrupted:
                log.info(
                    "consumer %s: stopped while waiting out an outage; the batch is not committed",
                    self.projection.name,
                )
                return 0
            except BusUnavailable:
                # A dead letter or a commit did not reach the bus: start again from the committed
                # offsets; the tracking rows make what was already applied a no-op.
                log.warning(
                    "consumer %s: bus unavailable mid-batch; resuming from committed offsets",
                    self.projection.name,
                )
                self.close()
                _pause(stop, self.max_backoff / 5)
                return 0
        else:
            try:
                self.subscription.settle()
            except BusUnavailable as exc:
                log.warning("consumer %s: bus unavailable: %s", self.projection.name, exc)
        return len(records)

    def run_until_caught_up(self, timeout: float = 60.0, progress: Progress | None = None) -> None:
        """Consume until the group has read every record that existed when this was called."""
        targets = {tp: end for tp, end in self.subscription.end_offsets().items() if end > 0}
        deadline = time.monotonic() + timeout
        while True:
            positions = self.subscription.positions()
            if progress is not None:
                progress(
                    sum(min(max(positions.get(tp, 0), 0), end) for tp, end in targets.items()),
                    sum(targets.values()),
                )
            if all(positions.get(tp, -1) >= end for tp, end in targets.items()):
                self.subscription.settle()  # past the last commit marker too: the group's lag is 0
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.projection.name} did not catch up within {timeout}s")
            self.step(poll_timeout=0.2)

    def rebuild(self, timeout: float = 600.0, progress: Progress | None = None) -> None:
        """Empty the read model and its tracking rows, then replay the topics from the earliest offset."""
        with self.engine.begin() as conn:
            self.projection.reset(conn)
            conn.execute(self.tracking.delete().where(self.tracking.c.consumer == self.projection.name))
            conn.execute(self.positions.delete().where(self.positions.c.consumer == self.projection.name))
        self.subscription.rewind()
        self.run_until_caught_up(timeout, progress)

    def resume_from_start(self, timeout: float = 600.0, progress: Progress | None = None) -> None:
        """Read the topics again from the earliest offset, keeping the read model and the tracking rows:
        what was applied is skipped, the rest applied (a policy after its database was recovered). Every
        record is checked by its event id meanwhile: the recovery marked what the policy had answered."""
        self.subscription.rewind()
        self._checking_ids = True
        try:
            self.run_until_caught_up(timeout, progress)
        finally:
            self._checking_ids = False

    def handle(self, records: Sequence[Record]) -> None:
        """Apply a batch in one transaction; if that fails, apply its events one by one.

        The positions move past every record of the batch, those passed over included (a type this
        consumer does not take, a record sent to the DLQ).
        """
        decoded = [d for d in (self._decode(r) for r in records) if d is not None]
        try:
            with transaction(self.engine) as conn:
                self._apply_all(conn, decoded, _next_offsets(records))
        except Exception as exc:
            log.warning("consumer %s: batch failed (%s); applying one by one", self.projection.name, exc)
            for item in decoded:
                self._apply_one_with_retries(item)
            with transaction(self.engine) as conn:
                self._apply_all(conn, [], _next_offsets(records))

    def close(self) -> None:
        """Leave the consumer group."""
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            subscription.close()

    def _decode(self, record: Record) -> Consumed | None:
        """Read a record as an event of the catalogue; dead-letter what cannot be read."""
        try:
            event = Envelope.from_record(record.key, record.headers, record.value)
            if event.type in self.catalogue:
                data = self.catalogue[event.type].read(event.schema_version, event.data)
            elif self.options.accepts_any_type:
                data = dict(event.data)
            elif self.options.rejects_unknown_types:
                raise UnknownEventType(f"{event.type} is not a type {self.projection.name} takes")
            else:
                self.stats.ignored += 1
                return None
        except (EnvelopeError, InvalidEventData, UnknownEventType) as exc:
            self._dead_letter(record, exc)
            return None
        return Consumed(record, event, data)

    def _apply_all(
        self, conn: sa.Connection, items: Sequence[Consumed], passed: Mapping[TopicPartition, int]
    ) -> None:
        """Apply the events past the consumer's positions, and move the positions to ``passed``."""
        if self.options.serialised and items:
            serialise(conn, f"consumer:{self.projection.name}")
        now = datetime.now(UTC)
        held = hold_positions(conn, self.positions, self.projection.name, passed.keys(), now)
        fresh = self._past_positions(conn, items, held, now)
        apply_batch = getattr(self.projection, "apply_batch", None)
        if apply_batch is not None:
            with tracing.batch_consumer_span(self.projection.name, [i.record.headers for i in fresh]):
                apply_batch(conn, fresh)
        else:
            for item in fresh:
                with (
                    tracing.consumer_span(self.projection.name, item.event.type, item.record.headers),
                    bound_correlation(item.event.correlation_id),
                ):
                    self.projection.apply(conn, item)
        moved = {tp: offset for tp, offset in passed.items() if offset > held[tp]}
        advance_positions(conn, self.positions, self.projection.name, moved, now)
        self.stats.applied += len(fresh)
        CONSUMED.labels(self.projection.name).inc(len(fresh))

    def _past_positions(
        self,
        conn: sa.Connection,
        items: Sequence[Consumed],
        held: Mapping[TopicPartition, int],
        now: datetime,
    ) -> list[Consumed]:
        """Return the items to apply: past the held positions, each record once, and those checked by
        event id (see the module) not applied before."""
        fresh, checked, nexts = [], set(), dict(held)  # a partition's records come in offset order
        unplaced = any(offset == 0 for offset in held.values()) and self._has_tracking_rows(conn)
        every = self._checking_ids or self.options.checks_event_ids
        for item in items:
            record = item.record
            tp = (record.topic, record.partition)
            if record.offset < nexts[tp]:
                self._duplicate()
                continue
            nexts[tp] = record.offset + 1
            relayed, redriven_for = _marks(record.headers)
            if redriven_for and redriven_for != self.projection.name:
                self._duplicate()  # another consumer dead-lettered it: this one applied the original
                continue
            if every or not relayed or (unplaced and held[tp] == 0):
                checked.add(item.event.id)
            fresh.append(item)
        if not checked:
            return fresh
        claimed = claim(conn, self.tracking, self.projection.name, checked, now)
        kept = []
        for item in fresh:
            if item.event.id in checked:
                if item.event.id not in claimed:
                    self._duplicate()
                    continue
                claimed.discard(item.event.id)  # the same event twice in one batch is applied once
            kept.append(item)
        return kept

    def _has_tracking_rows(self, conn: sa.Connection) -> bool:
        """Return whether this consumer claimed event ids before (a runner of tracking rows alone, a
        re-drive): then a partition's first batch may repeat what those rows hold."""
        mine = self.tracking.c.consumer == self.projection.name
        return conn.execute(sa.select(self.tracking.c.event_id).where(mine).limit(1)).first() is not None

    def _duplicate(self) -> None:
        self.stats.duplicates += 1
        DUPLICATES.labels(self.projection.name).inc()

    def _apply_one_with_retries(self, item: Consumed) -> None:
        """Apply one event in its own transaction and dead-letter it only if it is poison.

        Outages and conflicts with another replica are retried with fresh state as long as they last;
        any other error is retried ``max_attempts`` times, then the event goes to the DLQ.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                with transaction(self.engine) as conn:
                    self._apply_all(conn, [item], _next_offsets([item.record]))
                return
            except Exception as exc:
                passing = is_transient(exc) or isinstance(exc, ConcurrencyError)
                if isinstance(exc, Rejected) or (not passing and attempt >= self.max_attempts):
                    self._dead_letter(item.record, exc)
                    return
                delay = exponential(attempt, self.backoff, self.max_backoff)
                tracing.note("retry", consumer=self.projection.name, attempt=attempt, reason=exc)
                log.warning(
                    "consumer %s: event %s failed (attempt %d): %s",
                    self.projection.name,
                    item.event.id,
                    attempt,
                    exc,
                )
                if self._stop.wait(delay):
                    raise Interrupted(f"consumer {self.projection.name} stopped") from exc

    def _dead_letter(self, record: Record, error: BaseException) -> None:
        """Publish a record to its topic's DLQ with why and where it failed, so the consumer can move on."""
        try:
            self.bus.publish([dead_letter(record, error, self.projection.name)])
        except RecordTooLarge:
            self.bus.publish([trimmed(record, error, self.projection.name)])
        self.stats.dead_lettered += 1
        FAILED.labels(self.projection.name).inc()
        tracing.record_event(
            "dead_letter", record.headers, consumer=self.projection.name, reason=error, offset=record.offset
        )
        log.error(
            "consumer %s: %s[%d]@%d sent to DLQ: %s",
            self.projection.name,
            record.topic,
            record.partition,
            record.offset,
            error,
        )


def _marks(headers: Sequence[tuple[str, bytes]]) -> tuple[bool, str | None]:
    """Return, in one pass over a record's headers, whether a relay published it and not a re-drive
    (its store position, no re-drive mark), and the consumer a re-drive is for ("" when it names none)."""
    position = redriven = False
    redriven_for = None
    for name, value in headers:
        if name == POSITION_HEADER:
            position = True
        elif name == REDRIVEN_HEADER:
            redriven = True
        elif name == REDRIVEN_FOR_HEADER:
            redriven_for = value.decode(errors="replace")
    if redriven and redriven_for is None:
        redriven_for = ""  # a re-drive of an older release: every consumer checks its event id
    return position and not redriven, redriven_for


def _next_offsets(records: Sequence[Record]) -> dict[TopicPartition, int]:
    """Return, per partition, the offset after the last record of a batch."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = (record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets


def _pause(stop: threading.Event | None, seconds: float) -> None:
    """Wait out an outage, waking at once when the runner is told to stop."""
    if stop is None:
        time.sleep(seconds)
    else:
        stop.wait(seconds)

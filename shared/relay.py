"""The outbox relay: publishes a service's events table to its topic in position order."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from tenacity import Retrying, retry_if_exception, stop_when_event_set, wait_exponential

from shared import tracing
from shared.bus import Bus, BusUnavailable, OutgoingRecord, Publisher
from shared.bus.base import DirectPublisher
from shared.db import is_transient
from shared.eventstore import EventStore, StoredEvent
from shared.leases import Lease
from shared.metrics import PUBLISHED

log = logging.getLogger(__name__)

POSITION_HEADER = "thidua_position"
"""The event's position in its service's store, on every record a relay publishes (a recovery's order)."""
BATCH_SIZE = 2000
"""Events a batch, each batch one Kafka transaction: its commit and the flush before it are round trips
a batch, so 2,000 publish about a fifth faster than 500 (bench.__main__); a backlog's batch takes about
0.2 s, well inside a lease's publish margin, and a consumer span links at most 2,048 records."""


@dataclass
class RelayStats:
    """What a relay has done since it started."""

    published: int = 0
    failures: int = 0


class LeaseLost(Exception):
    """The relay's lease expired or was taken: it must stop publishing at once."""


def _outage(error: BaseException) -> bool:
    """Return whether an error is an outage of the bus or the database, to be waited out."""
    return isinstance(error, BusUnavailable) or is_transient(error)


class OutboxRelay:
    """Copies stored events to the bus, in order, recording its progress in the same database.

    Each batch is one transaction on the bus (all of it or none), and the relay's progress is
    written after the bus acknowledged it. When a publish fails with its fate unknown, or when the
    relay starts or takes the lease over, it first reads the newest record of each partition of its
    topic and moves its progress up to the newest event found there: a batch that did reach the
    topic is never published again, and none is skipped. So a topic holds each event once, whatever
    is killed, as a ``read_committed`` reader sees it.

    With a lease, only its holder publishes: a batch is published only while the lease has at least
    ``publish_margin`` seconds left (longer than a publish may take), and its progress is recorded only
    if, in the same transaction, the lease is still this relay's. Run it under ``LeasedLoop``.
    """

    def __init__(
        self,
        name: str,
        engine: sa.Engine,
        store: EventStore,
        progress: sa.Table,
        bus: Bus,
        topic: str,
        batch_size: int = BATCH_SIZE,
        lease: Lease | None = None,
        transactional: bool = True,
    ):
        self.name = name
        self.engine = engine
        self.store = store
        self.progress = progress
        self.bus = bus
        self.topic = topic
        self.batch_size = batch_size
        self.lease = lease
        self.publish_margin = 0.0 if lease is None else lease.timing.ttl / 2
        self.stats = RelayStats()
        self._topic_ready = False
        self.transactional = transactional
        """False only to measure what transactions cost: a batch could then reach a topic twice."""
        self._publisher: Publisher | None = None
        self._caught_up = False
        """Whether the progress is known to match the topic (false at start and after a failed publish)."""

    def position(self) -> int:
        """Return the position of the last event published."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(self.progress.c.position).where(self.progress.c.relay == self.name)
            ).scalar()
            return int(value or 0)

    def publish_batch(self) -> int:
        """Publish the next batch of unpublished events; return how many were published."""
        if not self._topic_ready:
            self.bus.ensure_topics([self.topic])
            self._topic_ready = True
        if not self._caught_up:
            if self.lease is not None and not self.lease.held():
                # a former holder waking (after a pause) must not fence the real holder's open batch
                raise LeaseLost(f"relay {self.name}: the lease lapsed before fencing")
            self.publisher().fence()  # first: a transaction a former holder is committing is settled
            self.catch_up_with_topic()
        position = self.position()
        with self.engine.connect() as conn:
            batch = self.store.read_after(conn, position, self.batch_size)
        if not batch:
            return 0
        with tracing.producer_spans(self.topic, [stored.envelope for stored in batch]) as traces:
            records = [self._record(stored, trace) for stored, trace in zip(batch, traces, strict=True)]
            timeout = None
            if self.lease is not None:
                if not self._lease_for_publishing():
                    raise LeaseLost(f"relay {self.name}: lease too close to expiry to publish")
                timeout = self.lease.remaining()  # never still publishing once a standby may take over
            try:
                self.publisher().publish(records, timeout=timeout)
            except BusUnavailable:
                self._caught_up = False  # the batch may have reached the topic: read it back first
                raise
        self._record_progress(position, batch[-1].position)
        self.stats.published += len(batch)
        PUBLISHED.labels(self.name, self.topic).inc(len(batch))
        return len(batch)

    def _lease_for_publishing(self) -> bool:
        """Say whether the lease stays ours for the publish margin, renewing it once when it is still ours
        but nearer its end (a slow catch-up on a busy machine ate into it); a lapsed lease is not renewed."""
        assert self.lease is not None
        if self.lease.held(self.publish_margin):
            return True
        return self.lease.held() and self.lease.acquire() and self.lease.held(self.publish_margin)

    def _record(self, stored: StoredEvent, trace: dict[str, str]) -> OutgoingRecord:
        """Return the record of a stored event, with its store position (what a recovery orders by) and
        the W3C context of the span that publishes it."""
        key, headers, value = stored.envelope.to_record()
        headers.append((POSITION_HEADER, str(stored.position).encode()))
        headers += [(name, text.encode()) for name, text in trace.items()]
        return OutgoingRecord(self.topic, key, headers, value)

    def publisher(self) -> Publisher:
        """Return this relay's atomic publisher (its transactional id is the relay's name)."""
        if self._publisher is None:
            self._publisher = (
                self.bus.transactional_publisher(self.name)
                if self.transactional
                else DirectPublisher(self.bus)
            )
        return self._publisher

    def catch_up_with_topic(self) -> int:
        """Move the progress up to the newest event already on the topic; return the position."""
        newest = [r.header("ce_id") for r in self.bus.last_records(self.topic, window=self.batch_size + 10)]
        ids = [raw.decode() for raw in newest if raw]
        with self.engine.connect() as conn:
            on_topic = self.store.latest_position_of(conn, ids)
        position = self.position()
        if on_topic > position:
            log.warning(
                "relay %s: events up to %d were already on the topic; progress moves from %d",
                self.name,
                on_topic,
                position,
                extra={"relay": self.name},
            )
            self._record_progress(position, on_topic)
            position = on_topic
        self._caught_up = True
        return position

    def close(self) -> None:
        """Close the publisher (the next one of the same id fences whatever this one left open)."""
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None

    def run(self, stop: threading.Event, idle_wait: float = 0.2, max_backoff: float = 5.0) -> None:
        """Publish until ``stop`` is set, waiting with backoff through bus and database outages.

        Each run (a tenure of the lease) has a publisher of its own, made anew: its first transaction
        fences every older producer of the relay, a zombie former holder included.
        """
        self.close()
        self._caught_up = False
        retrying = Retrying(
            retry=retry_if_exception(_outage),
            wait=wait_exponential(multiplier=0.1, max=max_backoff),
            stop=stop_when_event_set(stop),
            sleep=lambda seconds: _wait(stop, seconds),
            before_sleep=self._on_failure,
            reraise=True,
        )
        try:
            while not stop.is_set():
                published = retrying(self.publish_batch)
                if published == 0:
                    stop.wait(idle_wait)
        except LeaseLost as exc:
            log.warning("%s; standing by", exc, extra={"relay": self.name})
        except Exception as exc:
            if not (stop.is_set() and _outage(exc)):
                raise
            # stopping during an outage: progress stays where it was
        finally:
            self.close()

    def drain(self) -> int:
        """Publish everything stored so far, holding the lease meanwhile; return how many were published."""
        total = 0
        self._caught_up = False
        try:
            while True:
                if self.lease is not None and not self.lease.acquire():
                    raise LeaseLost(f"relay {self.name}: another replica holds the lease")
                if not (published := self.publish_batch()):
                    return total
                total += published
        finally:
            self.close()
            if self.lease is not None and self.lease.held():
                self.lease.release()

    def _record_progress(self, previous: int, position: int) -> None:
        """Store the new position, if the lease (when there is one) is still ours."""
        with self.engine.begin() as conn:
            if self.lease is not None and not self.lease.confirm(conn):
                raise LeaseLost(f"relay {self.name}: lease taken by another replica")
            updated = conn.execute(
                self.progress.update()
                .where((self.progress.c.relay == self.name) & (self.progress.c.position == previous))
                .values(position=position)
            ).rowcount
            if updated == 0:
                if previous != 0:
                    raise RuntimeError(f"relay {self.name} progress moved under it (two relays running?)")
                conn.execute(self.progress.insert().values(relay=self.name, position=position))

    def _on_failure(self, state: object) -> None:
        """Log a failed attempt; the relay keeps its position and tries again."""
        self.stats.failures += 1
        log.warning("relay %s: bus or database unavailable, retrying", self.name, extra={"relay": self.name})


def _wait(stop: threading.Event, seconds: float) -> None:
    """Sleep between retries, waking at once when the relay is told to stop."""
    stop.wait(seconds)

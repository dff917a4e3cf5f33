"""The outbox relay: publishes a service's events table to its topic in position order."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from tenacity import Retrying, retry_if_exception_type, stop_when_event_set, wait_exponential

from shared.bus import Bus, BusUnavailable, OutgoingRecord
from shared.eventstore import EventStore
from shared.metrics import PUBLISHED

log = logging.getLogger(__name__)


@dataclass
class RelayStats:
    """What a relay has done since it started."""

    published: int = 0
    failures: int = 0


class OutboxRelay:
    """Copies stored events to the bus, in order, recording its progress in the same database.

    Progress is written only after the bus acknowledged a batch, so a crash or an outage can make
    the relay publish a batch again (consumers drop the repeat by event id) but never skip one.
    """

    def __init__(
        self,
        name: str,
        engine: sa.Engine,
        store: EventStore,
        progress: sa.Table,
        bus: Bus,
        topic: str,
        batch_size: int = 500,
    ):
        self.name = name
        self.engine = engine
        self.store = store
        self.progress = progress
        self.bus = bus
        self.topic = topic
        self.batch_size = batch_size
        self.stats = RelayStats()

    def position(self) -> int:
        """Return the position of the last event published."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(self.progress.c.position).where(self.progress.c.relay == self.name)
            ).scalar()
            return int(value or 0)

    def publish_batch(self) -> int:
        """Publish the next batch of unpublished events; return how many were published."""
        position = self.position()
        with self.engine.connect() as conn:
            batch = self.store.read_after(conn, position, self.batch_size)
        if not batch:
            return 0
        records = [OutgoingRecord(self.topic, *stored.envelope.to_record()) for stored in batch]
        self.bus.publish(records)
        self._record_progress(position, batch[-1].position)
        self.stats.published += len(batch)
        PUBLISHED.labels(self.name, self.topic).inc(len(batch))
        return len(batch)

    def run(self, stop: threading.Event, idle_wait: float = 0.2, max_backoff: float = 5.0) -> None:
        """Publish until ``stop`` is set, waiting with backoff through bus outages."""
        retrying = Retrying(
            retry=retry_if_exception_type(BusUnavailable),
            wait=wait_exponential(multiplier=0.1, max=max_backoff),
            stop=stop_when_event_set(stop),
            sleep=lambda seconds: _wait(stop, seconds),
            before_sleep=self._on_failure,
            reraise=True,
        )
        while not stop.is_set():
            try:
                published = retrying(self.publish_batch)
            except BusUnavailable:
                return  # only when stopping during an outage: progress stays where it was
            if published == 0:
                stop.wait(idle_wait)

    def drain(self) -> int:
        """Publish everything stored so far; return how many events were published."""
        total = 0
        while published := self.publish_batch():
            total += published
        return total

    def _record_progress(self, previous: int, position: int) -> None:
        """Store the new position; a concurrent relay of the same name makes this fail loudly."""
        with self.engine.begin() as conn:
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
        log.warning("relay %s: bus unavailable, retrying", self.name, extra={"relay": self.name})


def _wait(stop: threading.Event, seconds: float) -> None:
    """Sleep between retries, waking at once when the relay is told to stop."""
    stop.wait(seconds)

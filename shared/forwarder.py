"""A forwarder: copies chosen events of a topic to other topics, each exactly once.

Some events leave the suite: a provincial system may read only its own topic (Kafka's ACLs are per
topic), so the events of its schools are copied there. The forwarder is a consumer group member whose
copies and committed offsets go in one Kafka transaction (consume-transform-produce, KIP-447): a batch
is copied in full and its offsets committed, or neither. Killed half-way, its transaction is aborted
and the next holder reads the batch again from the committed offsets. It runs in one replica at a time
(under a lease); the next holder's transactional producer fences a paused former one.

A copy is the record itself: the same key, headers (the CloudEvent's id among them) and value.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from prometheus_client import Counter

from shared.bus import Bus, BusUnavailable, OutgoingRecord, Record
from shared.bus.base import Publisher, Subscription, TopicPartition
from shared.leases import Tenure

log = logging.getLogger(__name__)

FORWARDED = Counter("thidua_forwarded_total", "Events copied to another topic by a forwarder", ["forwarder"])

Route = Callable[[Record], Sequence[OutgoingRecord]]
"""Where a record's copies go: none, or one record per destination."""


class Forwarder:
    """Copies the records a route chooses from source topics to their destinations, exactly once."""

    def __init__(
        self,
        name: str,
        bus: Bus,
        topics: Sequence[str],
        route: Route,
        batch_size: int = 200,
        poll_timeout: float = 1.0,
        retry_seconds: float = 2.0,
    ):
        self.name = name
        self.bus = bus
        self.topics = tuple(topics)
        self.route = route
        self.batch_size = batch_size
        self.poll_timeout = poll_timeout
        self.retry_seconds = retry_seconds
        self._subscription: Subscription | None = None
        self._publisher: Publisher | None = None
        self._destinations: set[str] = set()

    def run_once(self) -> int:
        """Copy the next batch; return how many records were read (0: nothing new)."""
        subscription = self._subscribed()
        records = subscription.poll(self.batch_size, self.poll_timeout)
        if not records:
            subscription.settle()
            return 0
        copies = [copy for record in records for copy in self.route(record)]
        new = sorted({c.topic for c in copies} - self._destinations)
        if new:
            self.bus.ensure_topics(new)
            self._destinations.update(new)
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            tp = (record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        assert self._publisher is not None
        subscription.forward(self._publisher, copies, offsets)
        FORWARDED.labels(self.name).inc(len(copies))
        return len(records)

    def run_until_caught_up(self, idle_polls: int = 2) -> int:
        """Copy until ``idle_polls`` polls in a row find nothing; return how many records were read."""
        read, idle = 0, 0
        while idle < idle_polls:
            count = self.run_once()
            read += count
            idle = 0 if count else idle + 1
        return read

    def run(self, stop: threading.Event) -> None:
        """Copy until stopped; after a failure start again from the committed offsets.

        Under a lease (``stop`` is then its Tenure), a forwarder that is no longer sure of its lease, a
        former holder waking after a pause, gives up before it makes or fences a producer.
        """
        while not stop.is_set():
            if self._subscription is None and isinstance(stop, Tenure) and not stop.valid():
                log.warning("forwarder %s: the lease is no longer ours; standing by", self.name)
                return
            try:
                self.run_once()
            except BusUnavailable as exc:
                log.warning("forwarder %s: %s; reading again from the committed offsets", self.name, exc)
                self.close()
                stop.wait(self.retry_seconds)

    def close(self) -> None:
        """Leave the group and drop the producer; an open transaction is aborted by the next one."""
        subscription, self._subscription = self._subscription, None
        publisher, self._publisher = self._publisher, None
        if subscription is not None:
            subscription.close()
        if publisher is not None:
            publisher.close()

    def _subscribed(self) -> Subscription:
        if self._subscription is None:
            self.bus.ensure_topics(list(self.topics))
            publisher = self.bus.transactional_publisher(self.name)
            publisher.fence()
            self._publisher = publisher
            self._subscription = self.bus.subscribe(self.name, list(self.topics))
        return self._subscription

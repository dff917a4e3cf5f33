"""A Kafka consumer-group member (kafka-python) that commits offsets only when told.

A batch's offsets are committed asynchronously: the runner goes on to the next batch at once instead of
waiting a round trip (which queues behind the fetch in flight on the same connection). A commit not yet
acknowledged is repeated synchronously when the member settles at the end of what there is to read and
when it leaves the group, so a stopped consumer leaves its offsets committed. A commit that is lost
(the broker gone, a rebalance) only makes the batch be read again, and the runner's tracking rows make
that a no-op.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka import TopicPartition as KafkaTopicPartition
from kafka.errors import CommitFailedError, IllegalStateError, KafkaError
from kafka.structs import OffsetAndMetadata

from shared.bus.base import BusUnavailable, OutgoingRecord, Publisher, Record, StartAt, TopicPartition
from shared.bus.kafka_transactions import TransactionalPublisher

log = logging.getLogger(__name__)
CLOSE_COMMIT_MS = 2000
"""How long a leaving member waits to commit what it sent but was not acknowledged."""


REWIND_SECONDS = 60.0
"""How long a rewind may wait for the group to assign its partitions (brokers just back take a while)."""


class Namespaced(Protocol):
    """What a subscription needs of its bus: topic names on the broker and consumer settings."""

    def physical(self, topic: str) -> str:
        """Return the broker's name of a topic."""
        ...

    def logical(self, topic: str) -> str:
        """Return the suite's name of a broker topic."""
        ...

    def consumer_config(self, group: str | None) -> dict[str, Any]:
        """Return the settings for a consumer."""
        ...


class KafkaSubscription:
    """A Kafka consumer in a group, committing offsets only when told."""

    def __init__(self, bus: Namespaced, group: str, topics: list[str], start_at: StartAt | None = None):
        self.bus = bus
        self.topics = [bus.physical(t) for t in topics]
        self._consumer = KafkaConsumer(**bus.consumer_config(group))
        self._consumer.subscribe(self.topics, listener=None if start_at is None else _Seeking(self, start_at))
        self._committed: dict[KafkaTopicPartition, int] = {}  # acknowledged by the coordinator
        self._requested: dict[KafkaTopicPartition, int] = {}  # sent, maybe not acknowledged yet

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        """Fetch the next records of the assigned partitions."""
        try:
            batches = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        except KafkaError as exc:
            raise BusUnavailable(f"poll failed: {exc}") from exc
        records = []
        for partition, messages in batches.items():
            topic = self.bus.logical(partition.topic)  # once per partition, not per record
            records += [
                Record(topic, m.partition, m.offset, m.key, m.headers or [], m.value, m.timestamp)
                for m in messages
            ]
        return records

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Commit the next offsets to read, without waiting for the answer (see the module's note).

        A commit refused because the group rebalanced is not an outage: the partitions' new owner reads
        the batch again from the last committed offsets, and the tracking rows make it a no-op.
        """
        if not offsets:
            return
        physical = {KafkaTopicPartition(self.bus.physical(t), p): o for (t, p), o in offsets.items()}
        self._requested.update(physical)
        try:
            self._consumer.commit_async(
                {tp: OffsetAndMetadata(o, "", -1) for tp, o in physical.items()}, callback=self._acknowledged
            )
        except KafkaError as exc:
            raise BusUnavailable(f"commit failed: {exc}") from exc

    def _acknowledged(self, offsets: Mapping[KafkaTopicPartition, OffsetAndMetadata], answer: Any) -> None:
        """Note an asynchronous commit's answer: the offsets acknowledged, or why not (then logged)."""
        if isinstance(answer, CommitFailedError):
            log.info("commit refused after a rebalance; the batch will be read again: %s", answer)
        elif isinstance(answer, Exception):
            log.warning("commit failed (%s); it is made again when the consumer settles or leaves", answer)
        else:
            for tp, meta in offsets.items():
                self._committed[tp] = max(self._committed.get(tp, 0), meta.offset)

    def _unacknowledged(self) -> dict[KafkaTopicPartition, int]:
        return {tp: o for tp, o in self._requested.items() if o > self._committed.get(tp, -1)}

    def settle(self) -> None:
        """After a poll that returned nothing, commit each position that moved past the committed
        offset over records no one reads (transaction markers, aborted batches), so the group's lag
        says 0 when nothing is left to read."""
        try:
            assigned = self._consumer.assignment()
            moved = {tp: o for tp, o in self._unacknowledged().items() if tp in assigned}
            moved |= {
                tp: position
                for tp in assigned
                if (position := self._position(tp)) is not None and position > self._committed.get(tp, 0)
            }
        except KafkaError as exc:
            raise BusUnavailable(f"position failed: {exc}") from exc
        if moved:
            self._commit(moved)

    def _commit(self, offsets: dict[KafkaTopicPartition, int], timeout_ms: int | None = None) -> bool:
        """Commit synchronously; False when a rebalance refused it (the records will be read again)."""
        try:
            self._consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()}, timeout_ms)
            self._committed.update(offsets)
            return True
        except CommitFailedError as exc:
            log.info("commit refused after a rebalance; the batch will be read again: %s", exc)
            return False
        except KafkaError as exc:
            raise BusUnavailable(f"commit failed: {exc}") from exc

    def forward(
        self,
        publisher: Publisher,
        records: Sequence[OutgoingRecord],
        offsets: Mapping[TopicPartition, int],
        timeout: float | None = None,
    ) -> None:
        """Publish the records and commit the offsets in one transaction of the publisher.

        The offsets go with this member's group metadata, so a member the group has already replaced
        cannot commit (KIP-447). On failure the subscription is spent: close it and subscribe again.
        """
        if not isinstance(publisher, TransactionalPublisher):
            raise TypeError("forwarding on Kafka needs a transactional publisher")
        physical = {
            KafkaTopicPartition(self.bus.physical(t), p): OffsetAndMetadata(o, "", -1)
            for (t, p), o in offsets.items()
        }
        try:
            metadata = self._consumer.group_metadata()
        except KafkaError as exc:
            raise BusUnavailable(f"group metadata unavailable: {exc}") from exc
        publisher.publish(records, timeout, consumed=(physical, metadata))
        self._committed.update({tp: o.offset for tp, o in physical.items()})

    def rewind(self) -> None:
        """Seek every assigned partition to its beginning and commit that, joining the group first if needed.

        The beginning is committed before anything is read again: a rebalance or a new subscription
        mid-rebuild resumes from the committed offsets, which would otherwise still be the old ends and
        leave the rebuilt model short of everything before them.
        """
        started = time.monotonic()
        deadline = started + REWIND_SECONDS
        refresh = started + 2
        try:
            while True:
                assigned = self._consumer.assignment()
                if assigned:
                    self._consumer.seek_to_beginning()
                    beginning = self._consumer.beginning_offsets(list(assigned))
                    if self._commit(beginning):
                        self._requested.update(beginning)  # what was sent before is not to be made again
                        return
                if time.monotonic() > deadline:
                    raise BusUnavailable(f"no partitions assigned and rewound within {REWIND_SECONDS:.0f}s")
                if time.monotonic() > refresh:
                    # A group joined before the client knew the topics' partitions assigns nothing until
                    # its metadata is refreshed (by default only every 5 minutes): ask for it now.
                    self._consumer._client.cluster.request_update()
                    refresh = time.monotonic() + 2
                    if refresh - started > 10:
                        # still nothing after brokers came back (a drill): join the group again
                        self._consumer._coordinator.request_rejoin()
                self._consumer.poll(timeout_ms=100, max_records=1)
        except KafkaError as exc:
            raise BusUnavailable(f"rewind failed: {exc}") from exc

    def end_offsets(self) -> dict[TopicPartition, int]:
        """Return the log-end offset of every partition of the subscribed topics."""
        try:
            partitions = [
                KafkaTopicPartition(t, p)
                for t in self.topics
                for p in (self._consumer.partitions_for_topic(t) or ())
            ]
            ends = self._consumer.end_offsets(partitions)
        except KafkaError as exc:
            raise BusUnavailable(f"end offsets failed: {exc}") from exc
        return {(self.bus.logical(tp.topic), tp.partition): int(o) for tp, o in ends.items()}

    def positions(self) -> dict[TopicPartition, int]:
        """Return the fetch position of every assigned partition."""
        try:
            held = {tp: self._position(tp) for tp in self._consumer.assignment()}
        except KafkaError as exc:
            raise BusUnavailable(f"position failed: {exc}") from exc
        return {(self.bus.logical(tp.topic), tp.partition): o for tp, o in held.items() if o is not None}

    def _position(self, tp: KafkaTopicPartition) -> int | None:
        """Return a partition's position, or None if a rebalance took it since the assignment was read."""
        try:
            return self._consumer.position(tp)
        except IllegalStateError:
            return None

    def close(self) -> None:
        """Leave the group, first committing (briefly, synchronously) what was sent but not acknowledged."""
        pending = {tp: o for tp, o in self._unacknowledged().items() if tp in self._consumer.assignment()}
        if pending:
            try:
                self._commit(pending, timeout_ms=CLOSE_COMMIT_MS)
            except BusUnavailable:
                log.info("leaving with offsets not committed; the batch will be read again")
        try:
            self._consumer.close(autocommit=False)
        except KafkaError:
            log.debug("consumer close failed", exc_info=True)

    def assigned(self) -> list[TopicPartition]:
        """Return the partitions this member holds now."""
        return sorted((self.bus.logical(tp.topic), tp.partition) for tp in self._consumer.assignment())


class _Seeking(ConsumerRebalanceListener):
    """Seek each partition this member is given to where the consumer's own positions say (Kafka's
    pattern for offsets kept with the effects): nothing it applied is fetched again. Should the question
    fail, the partition starts at the committed offset, and the positions pass the repeats over."""

    def __init__(self, subscription: KafkaSubscription, start_at: StartAt):
        self.subscription = subscription
        self.start_at = start_at

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Nothing to do: the offsets are committed after each batch."""

    def on_partitions_assigned(self, assigned: Any) -> None:
        """Seek the partitions given to this member to the consumer's own positions."""
        subscription = self.subscription
        if not assigned:
            return
        logical = {(subscription.bus.logical(tp.topic), tp.partition): tp for tp in assigned}
        try:
            own = self.start_at(list(logical))
        except Exception:
            log.warning("the consumer's own positions could not be read; starting at the committed offsets")
            return
        for tp, offset in own.items():
            if tp in logical:
                subscription._consumer.seek(logical[tp], offset)

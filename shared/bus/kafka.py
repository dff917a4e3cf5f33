"""The Kafka bus (kafka-python): topics, an idempotent producer with acks=all, groups with manual commits.

How clients connect is kafka_client's; the operator's reads are kafka_reads'; the relays' transactions
are kafka_transactions'.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import (
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAlreadyExistsError,
)

from shared.bus import kafka_reads
from shared.bus.base import (
    BusUnavailable,
    GroupLag,
    GroupMember,
    OutgoingRecord,
    Record,
    RecordTooLarge,
    Start,
    StartAt,
    TopicPartition,
)
from shared.bus.kafka_client import KafkaClient
from shared.bus.kafka_group import KafkaSubscription
from shared.bus.kafka_transactions import TransactionalPublisher, force_close

log = logging.getLogger(__name__)


class KafkaBus(KafkaClient):
    """A bus on Apache Kafka: topics, publish and subscribe; the operator's reads are kafka_reads'."""

    def __init__(self, bootstrap_servers: str, **connection: Any):
        """Connect as :class:`KafkaClient` does; no producer is made until the first publish."""
        super().__init__(bootstrap_servers, **connection)
        self.topic_warnings: dict[str, str] = {}
        self._producer: KafkaProducer | None = None

    def ensure_topics(self, topics: Iterable[str]) -> None:
        """Create missing topics (configured partitions, replication, min in-sync replicas, kept forever).

        An existing topic with fewer replicas than configured is left as it is, and reported in the
        log and in ``topic_warnings`` (shown by the workers' /readyz).
        """
        wanted = [self.physical(t) for t in dict.fromkeys(topics)]
        try:
            admin = self.admin()
        except KafkaError as exc:
            raise BusUnavailable(f"cannot reach the brokers to create topics: {exc}") from exc
        try:
            described = {t["name"]: t for t in admin.describe_topics(wanted) if t.get("error_code") == 0}
            missing = [t for t in wanted if t not in described]
            self._check_replication([described[t] for t in wanted if t in described])
            if not missing:
                return
            configs = {
                "retention.ms": "-1",
                "retention.bytes": "-1",
                "min.insync.replicas": str(self.min_insync),
            }
            new_topics = [
                NewTopic(t, self.partitions, self.replication, topic_configs=configs) for t in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them first
                admin.create_topics(new_topics)
            self._wait_for_topics(missing)
        except KafkaError as exc:
            raise BusUnavailable(f"cannot create topics: {exc}") from exc
        finally:
            admin.close()

    def topics(self, prefix: str = "") -> list[str]:
        """Return the topics of this namespace whose names start with a prefix, sorted."""
        try:
            admin = self.admin()
        except KafkaError as exc:
            raise BusUnavailable(f"cannot list topics: {exc}") from exc
        try:
            names = admin.list_topics()
        except KafkaError as exc:
            raise BusUnavailable(f"cannot list topics: {exc}") from exc
        finally:
            admin.close()
        wanted = self.physical(prefix)
        return sorted(self.logical(n) for n in names if n.startswith(wanted))

    def _check_replication(self, topics: list[dict[str, Any]]) -> None:
        """Note each existing topic whose partitions have fewer replicas than configured."""
        for topic in topics:
            name = self.logical(topic["name"])
            replicas = min((len(p["replica_nodes"]) for p in topic["partitions"]), default=0)
            if replicas < self.replication:
                message = f"{replicas} replicas, {self.replication} configured"
                if self.topic_warnings.get(name) != message:
                    log.warning("topic %s has %s", name, message, extra={"topic": name})
                self.topic_warnings[name] = message
            else:
                self.topic_warnings.pop(name, None)

    def publish(self, records: Sequence[OutgoingRecord], timeout: float | None = None) -> None:
        """Send the records and wait for every acknowledgement; on any failure drop the producer.

        Waits at most ``timeout`` seconds (default: the producer's delivery timeout); past it the
        producer is closed at once, abandoning what it still holds, and BusUnavailable is raised.
        """
        if not records:
            return
        try:
            producer = self._get_producer()
            futures = [
                producer.send(self.physical(r.topic), key=r.key, value=r.value, headers=list(r.headers))
                for r in records
            ]
            limit = self.delivery_limit(timeout)
            producer.flush(timeout=limit)
            for future in futures:
                if not future.is_done:
                    raise KafkaTimeoutError(f"not acknowledged within {limit:.1f} s")
                future.get(timeout=0)
        except (MessageSizeTooLargeError, RecordListTooLargeError) as exc:
            self._drop_producer()
            raise RecordTooLarge(f"a record is too large for the producer or broker: {exc}") from exc
        except KafkaError as exc:
            self._drop_producer()
            raise BusUnavailable(f"publish failed: {exc}") from exc

    def transactional_publisher(self, transactional_id: str) -> TransactionalPublisher:
        """Return a publisher whose every batch is one Kafka transaction, fenced by ``transactional_id``."""
        return TransactionalPublisher(self, transactional_id)

    def last_records(self, topic: str, window: int = 100) -> list[Record]:
        """Return the newest committed record of each partition of a topic."""
        return kafka_reads.last_records(self, topic, window)

    def subscribe(
        self, group: str, topics: Sequence[str], start_at: StartAt | None = None
    ) -> KafkaSubscription:
        """Join a consumer group; offsets are committed only by ``commit``; each partition given to this
        member starts where ``start_at`` says, else at the committed offset."""
        try:
            return KafkaSubscription(self, group, list(topics), start_at)
        except KafkaError as exc:
            raise BusUnavailable(f"cannot join group {group}: {exc}") from exc

    def ping(self) -> bool:
        """Return whether a broker answers a metadata request."""
        try:
            admin = self.admin(timeout_ms=3000)
        except KafkaError:
            return False
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def close(self) -> None:
        """Flush and close the producer."""
        self._drop_producer()

    def read(self, topics: Sequence[str], start: Start, limit: int) -> list[Record]:
        """Read up to ``limit`` records per partition from the earliest offset, an offset, or a time."""
        return kafka_reads.read(self, topics, start, limit)

    def topic_ends(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        """Return the offset the next record of each partition of the topics will get."""
        return kafka_reads.topic_ends(self, topics)

    def group_members(self) -> list[GroupMember]:
        """Return the live members of this namespace's consumer groups and the partitions each holds."""
        return kafka_reads.group_members(self)

    def forget_consumed(self, group: str, topics: Sequence[str]) -> int:
        """Delete the records a group has committed past (DeleteRecords moves each partition's start)."""
        wanted = {self.physical(t) for t in topics}
        try:
            admin = self.admin()
        except KafkaError as exc:
            raise BusUnavailable(f"cannot reach the brokers to delete records: {exc}") from exc
        try:
            physical = self.physical(group)
            committed = admin.list_group_offsets({physical: None}).get(physical, {})
            below = {
                tp: meta.offset for tp, meta in committed.items() if tp.topic in wanted and meta.offset > 0
            }
            if below:
                admin.delete_records(below, timeout_ms=10000)
            return len(below)
        except KafkaError as exc:
            raise BusUnavailable(f"deleting consumed records failed: {exc}") from exc
        finally:
            admin.close()

    def group_lag(self) -> list[GroupLag]:
        """Return every group's committed and end offset per partition (groups of this namespace only)."""
        return kafka_reads.group_lag(self)

    def _get_producer(self) -> KafkaProducer:
        """Return the idempotent producer, creating it on first use or after a failure."""
        if self._producer is None:
            self._producer = KafkaProducer(**self.producer_config())
        return self._producer

    def _drop_producer(self) -> None:
        """Close the producer without waiting; the next publish makes a fresh one."""
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)  # abandon what it still holds: the caller retries
            except KafkaError:  # close() flushes first, which times out with records still held
                force_close(self._producer)
            self._producer = None

    def _wait_for_topics(self, topics: list[str], timeout: float = 30.0) -> None:
        """Wait until new topics have leaders, so the first publish does not race their creation."""
        consumer = KafkaConsumer(**self.consumer_config(None))  # errors: see ensure_topics
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if all(consumer.partitions_for_topic(t) for t in topics):
                    return
                time.sleep(0.1)
            raise BusUnavailable(f"topics {topics} have no leaders after {timeout}s")
        finally:
            consumer.close()

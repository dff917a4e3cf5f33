"""The Kafka adapter (kafka-python): idempotent producer with acks=all, manual offset commits."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KafkaTopicPartition
from kafka.admin import NewTopic
from kafka.errors import (
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAlreadyExistsError,
)

from shared.bus.base import (
    BusUnavailable,
    GroupLag,
    GroupMember,
    OutgoingRecord,
    Record,
    RecordTooLarge,
    Start,
    TopicPartition,
)
from shared.bus.kafka_group import KafkaSubscription
from shared.bus.kafka_transactions import TransactionalPublisher, force_close, last_records
from shared.settings import KafkaAuth

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 10.0
"""Seconds a publish waits for acknowledgements at most."""
CONNECTING = {"bootstrap_timeout_ms": 5000, "reconnect_backoff_max_ms": 2000}
"""Every client gives up connecting within seconds, so an unreachable broker is an outage to wait out."""


class KafkaBus:
    """A bus on Apache Kafka.

    A namespace, when given, prefixes every topic and consumer group on the broker, so that several
    environments (or test runs) can share one cluster; callers only ever see the plain topic names.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        partitions: int = 3,
        client_id: str = "thidua",
        namespace: str = "",
        replication: int = 1,
        min_insync: int = 1,
        auth: KafkaAuth | None = None,
    ):
        self.bootstrap_servers = bootstrap_servers.split(",")
        self.partitions = partitions
        self.client_id = client_id
        self.namespace = namespace
        self.replication = replication
        self.min_insync = min_insync
        self.topic_warnings: dict[str, str] = {}
        self.security = _security(auth)
        self._producer: KafkaProducer | None = None

    def physical(self, topic: str) -> str:
        """Return the broker's name of a topic."""
        return self.namespace + topic

    def logical(self, topic: str) -> str:
        """Return the suite's name of a broker topic."""
        return topic.removeprefix(self.namespace)

    def ensure_topics(self, topics: Iterable[str]) -> None:
        """Create missing topics (configured partitions, replication, min in-sync replicas, kept forever).

        An existing topic with fewer replicas than configured is left as it is, and reported in the
        log and in ``topic_warnings`` (shown by the workers' /readyz).
        """
        wanted = [self.physical(t) for t in dict.fromkeys(topics)]
        try:
            admin = self._admin()
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
            admin = self._admin()
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

    def delivery_limit(self, timeout: float | None) -> float:
        """Return how long a publish may wait: ``timeout`` when given, never beyond the delivery timeout."""
        return DELIVERY_TIMEOUT if timeout is None else max(0.0, min(timeout, DELIVERY_TIMEOUT))

    def transactional_publisher(self, transactional_id: str) -> TransactionalPublisher:
        """Return a publisher whose every batch is one Kafka transaction, fenced by ``transactional_id``."""
        return TransactionalPublisher(self, transactional_id)

    def last_records(self, topic: str, window: int = 100) -> list[Record]:
        """Return the newest committed record of each partition of a topic."""
        return last_records(self, topic, window)

    def subscribe(self, group: str, topics: Sequence[str]) -> KafkaSubscription:
        """Join a consumer group; offsets are committed only by ``commit``."""
        try:
            return KafkaSubscription(self, group, list(topics))
        except KafkaError as exc:
            raise BusUnavailable(f"cannot join group {group}: {exc}") from exc

    def ping(self) -> bool:
        """Return whether a broker answers a metadata request."""
        try:
            admin = self._admin(timeout_ms=3000)
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
        try:
            consumer = KafkaConsumer(**{**self.consumer_config(None), "consumer_timeout_ms": 1000})
        except KafkaError as exc:
            raise BusUnavailable(f"read failed: {exc}") from exc
        try:
            partitions = [
                KafkaTopicPartition(self.physical(t), p)
                for t in topics
                for p in sorted(consumer.partitions_for_topic(self.physical(t)) or ())
            ]
            consumer.assign(partitions)
            ends = consumer.end_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, self._first_offset(consumer, tp, start))
            got: dict[KafkaTopicPartition, list[Record]] = {tp: [] for tp in partitions}
            deadline = time.monotonic() + 30

            def pending() -> bool:  # offsets count transaction markers too: compare positions, not counts
                return any(len(got[tp]) < limit and consumer.position(tp) < ends[tp] for tp in partitions)

            while pending() and time.monotonic() < deadline:
                for tp, messages in consumer.poll(timeout_ms=500, max_records=1000).items():
                    for m in messages[: limit - len(got[tp])]:
                        got[tp].append(
                            Record(
                                self.logical(m.topic),
                                m.partition,
                                m.offset,
                                m.key,
                                m.headers or [],
                                m.value,
                                m.timestamp,
                            )
                        )
            return [r for tp in partitions for r in got[tp]]
        except KafkaError as exc:
            raise BusUnavailable(f"read failed: {exc}") from exc
        finally:
            consumer.close()

    def topic_ends(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        """Return the offset the next record of each partition of the topics will get."""
        try:
            consumer = KafkaConsumer(**self.consumer_config(None))
        except KafkaError as exc:
            raise BusUnavailable(f"end offsets failed: {exc}") from exc
        try:
            partitions = [
                KafkaTopicPartition(self.physical(t), p)
                for t in topics
                for p in sorted(consumer.partitions_for_topic(self.physical(t)) or ())
            ]
            ends = consumer.end_offsets(partitions) if partitions else {}
            return {(self.logical(tp.topic), tp.partition): int(end) for tp, end in ends.items()}
        except KafkaError as exc:
            raise BusUnavailable(f"end offsets failed: {exc}") from exc
        finally:
            consumer.close()

    def group_members(self) -> list[GroupMember]:
        """Return the live members of this namespace's consumer groups and the partitions each holds."""
        try:
            admin = self._admin()
        except KafkaError as exc:
            raise BusUnavailable(f"group members failed: {exc}") from exc
        try:
            groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(self.namespace)]
            described = admin.describe_groups(groups) if groups else {}
            members = []
            for group, info in sorted(described.items()):
                for member in info.get("members") or []:
                    assignment = (member.get("member_assignment") or {}).get("assigned_partitions") or []
                    members.append(
                        GroupMember(
                            group.removeprefix(self.namespace),
                            member.get("member_id", ""),
                            member.get("client_id", ""),
                            str(member.get("client_host", "")).lstrip("/"),
                            tuple(self._held(assignment)),
                        )
                    )
            return members
        except KafkaError as exc:
            raise BusUnavailable(f"group members failed: {exc}") from exc
        finally:
            admin.close()

    def _held(self, assignment: Iterable[Any]) -> list[str]:
        """Return ``topic[partition]`` for an assignment as the admin client decodes it."""
        held = []
        for entry in assignment:
            topic, partitions = (
                (entry.get("topic"), entry.get("partitions"))
                if isinstance(entry, dict)
                else (entry[0], entry[1])
            )
            held += [f"{self.logical(str(topic))}[{p}]" for p in partitions or ()]
        return sorted(held)

    def group_lag(self) -> list[GroupLag]:
        """Return every group's committed and end offset per partition (groups of this namespace only)."""
        try:
            admin = self._admin()
        except KafkaError as exc:
            raise BusUnavailable(f"group lag failed: {exc}") from exc
        try:
            consumer = KafkaConsumer(**self.consumer_config(None))
        except KafkaError as exc:
            admin.close()
            raise BusUnavailable(f"group lag failed: {exc}") from exc
        try:
            lags = []
            groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(self.namespace)]
            for group, committed in (
                admin.list_group_offsets(dict.fromkeys(groups)) if groups else {}
            ).items():
                for topic in {tp.topic for tp in committed}:
                    consumer.partitions_for_topic(topic)  # load the metadata end_offsets needs
                ends = consumer.end_offsets(list(committed))
                lags += [
                    GroupLag(
                        group.removeprefix(self.namespace),
                        self.logical(tp.topic),
                        tp.partition,
                        meta.offset,
                        int(ends.get(tp, meta.offset)),
                    )
                    for tp, meta in committed.items()
                ]
            return sorted(lags, key=lambda g: (g.group, g.topic, g.partition))
        except KafkaError as exc:
            raise BusUnavailable(f"group lag failed: {exc}") from exc
        finally:
            consumer.close()
            admin.close()

    def _first_offset(self, consumer: KafkaConsumer, tp: KafkaTopicPartition, start: Start) -> int:
        """Return the offset a read starts at on one partition."""
        beginning = consumer.beginning_offsets([tp])[tp]
        if start.offset is not None:
            return max(beginning, start.offset)
        if start.timestamp_ms is not None:
            found = consumer.offsets_for_times({tp: start.timestamp_ms}).get(tp)
            return found.offset if found is not None else consumer.end_offsets([tp])[tp]
        return int(beginning)

    def consumer_config(self, group: str | None) -> dict[str, Any]:
        """Return the settings for a consumer of this bus."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "group_id": None if group is None else self.namespace + group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 1000,
            "fetch_max_wait_ms": 100,
            "session_timeout_ms": 6000,  # a killed member's partitions move on after this long
            "heartbeat_interval_ms": 1000,
            "isolation_level": "read_committed",  # aborted relay transactions are never seen
            **CONNECTING,
            **self.security,
        }

    def producer_config(self) -> dict[str, Any]:
        """Return the settings of an idempotent producer of this bus (acks from every in-sync replica)."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "acks": "all",
            "enable_idempotence": True,
            "max_in_flight_requests_per_connection": 5,
            "linger_ms": 5,
            "batch_size": 256 * 1024,
            "retries": 2**31 - 1,
            "delivery_timeout_ms": int(DELIVERY_TIMEOUT * 1000),
            "request_timeout_ms": 5000,
            "max_block_ms": 5000,
            **CONNECTING,
            **self.security,
        }

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

    def _admin(self, timeout_ms: int = 10000) -> KafkaAdminClient:
        """Open an admin client."""
        return KafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-admin",
            request_timeout_ms=timeout_ms,
            **CONNECTING,
            **self.security,
        )

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


def _security(auth: KafkaAuth | None) -> dict[str, Any]:
    """Return the client settings that authenticate as a principal (none on an open broker)."""
    if auth is None:
        return {}
    settings: dict[str, Any] = {
        "security_protocol": auth.protocol,
        "sasl_mechanism": auth.mechanism,
        "sasl_plain_username": auth.username,
        "sasl_plain_password": auth.password,
    }
    if auth.protocol == "SASL_SSL":
        settings["ssl_cafile"] = auth.ca_file
    return settings

"""The bus interface that every adapter implements and the contract tests check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

TopicPartition = tuple[str, int]
StartAt = Callable[[Sequence[TopicPartition]], Mapping[TopicPartition, int]]
"""Where a consumer keeps its own positions (with its effects): asked for the partitions a member is given,
it answers the next offset to read of those it has one for; the others start at the group's offsets."""


class BusUnavailable(Exception):
    """The bus did not accept or serve records; the caller may retry later."""


class RecordTooLarge(Exception):
    """The bus refuses a record for its size: retrying cannot help."""


@dataclass(frozen=True)
class OutgoingRecord:
    """A record to publish: the key decides the partition, so one stream keeps its order."""

    topic: str
    key: bytes
    headers: Sequence[tuple[str, bytes]]
    value: bytes


@dataclass(frozen=True)
class Record:
    """A record read from the bus, with where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: Sequence[tuple[str, bytes]]
    value: bytes | None
    timestamp_ms: int

    def header(self, name: str) -> bytes | None:
        """Return the first header of that name, if any."""
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True)
class Start:
    """Where an operator's read starts: the earliest offset, an offset per partition, or a time."""

    offset: int | None = None
    timestamp_ms: int | None = None

    def describe(self) -> str:
        """Say where the read starts."""
        if self.offset is not None:
            return f"offset {self.offset}"
        return "earliest" if self.timestamp_ms is None else f"time {self.timestamp_ms}"


@dataclass(frozen=True)
class GroupLag:
    """One consumer group's position on one partition."""

    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        """Return how many records the group has not handled yet."""
        return max(0, self.end - self.committed)


class Publisher(Protocol):
    """Publishes batches atomically: each batch is on its topics in full or not visible at all."""

    def fence(self, timeout: float | None = None) -> None:
        """Take over the id: fence older publishers of it and settle what they left open (then the
        topic says which of their batches reached it)."""
        ...

    def publish(self, records: Sequence[OutgoingRecord], timeout: float | None = None) -> None:
        """Publish one batch within ``timeout`` seconds; raise BusUnavailable when its fate is unknown."""
        ...

    def close(self) -> None:
        """Release the publisher (an open batch is abandoned)."""
        ...


class Subscription(Protocol):
    """A consumer group's view of some topics: poll, then commit what was handled."""

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        """Return up to ``max_records`` records after the group's position, waiting up to ``timeout`` s."""
        ...

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Record, durably for the group, the next offset to read per partition."""
        ...

    def settle(self) -> None:
        """After a poll that returned nothing, commit positions that moved over records nobody reads
        (transaction markers), so the group's lag is 0 when nothing is left."""
        ...

    def rewind(self) -> None:
        """Move the group back to the earliest offset of every partition (for a rebuild)."""
        ...

    def end_offsets(self) -> dict[TopicPartition, int]:
        """Return the next offset to be written per partition of the subscribed topics."""
        ...

    def positions(self) -> dict[TopicPartition, int]:
        """Return the next offset this subscription will read per partition it holds."""
        ...

    def forward(
        self,
        publisher: Publisher,
        records: Sequence[OutgoingRecord],
        offsets: Mapping[TopicPartition, int],
        timeout: float | None = None,
    ) -> None:
        """Publish the records and commit the group's next offsets as one: both happen or neither.

        On Kafka one transaction of the publisher carries the records and the offsets (and the group's
        generation, so a member the group has left behind is fenced). Raise BusUnavailable when that
        failed: the subscription must then be closed and made again, to read from the committed offsets.
        """
        ...

    def close(self) -> None:
        """Leave the group and release resources."""
        ...


@dataclass(frozen=True)
class GroupMember:
    """One live member of a consumer group and the partitions it holds now."""

    group: str
    member_id: str
    client_id: str
    host: str
    partitions: tuple[str, ...]
    """As ``topic[partition]``."""


class DirectPublisher:
    """Publishes each batch with the bus's own ``publish``: atomic on the embedded log, and on Kafka
    idempotent but not transactional (what the relay's benchmark compares transactions with)."""

    def __init__(self, bus: Bus):
        self.bus = bus

    def fence(self, timeout: float | None = None) -> None:
        """Nothing to fence: there is no transactional id."""

    def publish(self, records: Sequence[OutgoingRecord], timeout: float | None = None) -> None:
        """Publish one batch through the bus."""
        self.bus.publish(records, timeout)

    def close(self) -> None:
        """Nothing to release: the producer belongs to the bus."""


class Bus(Protocol):
    """What services need of an event bus.

    ``topic_warnings`` maps a topic to what is wrong with it (fewer replicas than configured).
    """

    topic_warnings: dict[str, str]

    def ensure_topics(self, topics: Iterable[str]) -> None:
        """Create the topics that do not exist yet (with their configured partitions, kept forever)."""
        ...

    def topics(self, prefix: str = "") -> list[str]:
        """Return the existing topics whose names start with a prefix, sorted."""
        ...

    def publish(self, records: Sequence[OutgoingRecord], timeout: float | None = None) -> None:
        """Publish records and return once every one is acknowledged; raise BusUnavailable otherwise.

        ``timeout`` (seconds) bounds the wait for the acknowledgements (a relay passes what is left
        of its lease); without it the adapter's own limit applies.
        """
        ...

    def transactional_publisher(self, transactional_id: str) -> Publisher:
        """Return a publisher of atomic batches; a newer one of the same id fences the older ones."""
        ...

    def last_records(self, topic: str, window: int = 100) -> list[Record]:
        """Return the newest committed record of each partition of a topic (none for an empty one)."""
        ...

    def subscribe(self, group: str, topics: Sequence[str], start_at: StartAt | None = None) -> Subscription:
        """Join a consumer group on some topics, starting each partition given to this member where
        ``start_at`` says, else from the group's committed offsets or the earliest."""
        ...

    def ping(self) -> bool:
        """Return whether the bus answers now."""
        ...

    def read(self, topics: Sequence[str], start: Start, limit: int) -> list[Record]:
        """Read up to ``limit`` records per partition from a start, outside any consumer group (operators)."""
        ...

    def group_lag(self) -> list[GroupLag]:
        """Return, for every consumer group and partition, the committed and the end offset."""
        ...

    def topic_ends(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        """Return the offset the next record of each partition of the topics will get."""
        ...

    def group_members(self) -> list[GroupMember]:
        """Return the live members of every consumer group and their partitions (none on the embedded log)."""
        ...

    def forget_consumed(self, group: str, topics: Sequence[str]) -> int:
        """Remove the records of these topics that a group has committed past; return how many partitions.

        For mailboxes only (the inbound topics), whose records the suite keeps as its own events.
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...

"""The embedded adapter: a SQLite file on disk that several processes on one machine share.

Each topic has a fixed number of partitions; a record goes to the partition of its key's CRC-32,
so one stream keeps its order. Each consumer group keeps its committed offsets in the same file.
A group is meant to have one consumer at a time (there is no rebalancing as in Kafka).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa

from shared.bus.base import (
    BusUnavailable,
    DirectPublisher,
    GroupLag,
    GroupMember,
    OutgoingRecord,
    Publisher,
    Record,
    Start,
    StartAt,
    TopicPartition,
)
from shared.db import create_engine

_metadata = sa.MetaData()
_topics = sa.Table(
    "topics",
    _metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("partitions", sa.Integer, nullable=False),
)
_log = sa.Table(
    "log",
    _metadata,
    sa.Column("topic", sa.String, primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("offset", sa.Integer, primary_key=True),
    sa.Column("key", sa.LargeBinary),
    sa.Column("headers", sa.Text, nullable=False),
    sa.Column("value", sa.LargeBinary),
    sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
)
_group_offsets = sa.Table(
    "group_offsets",
    _metadata,
    sa.Column("group_id", sa.String, primary_key=True),
    sa.Column("topic", sa.String, primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("offset", sa.Integer, nullable=False),
)
_POLL_INTERVAL = 0.05


class EmbeddedBus:
    """A bus in one SQLite file."""

    def __init__(self, path: str, partitions: int = 3):
        self.path = path
        self.partitions = partitions
        self.topic_warnings: dict[str, str] = {}
        self.engine = create_engine(f"sqlite:///{path}")
        self.reader = self.engine.execution_options(sqlite_begin="DEFERRED")
        _metadata.create_all(self.engine)
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()

    def data_version(self) -> int:
        """Return SQLite's data version of the log file as one connection that never writes sees it: it
        moves whenever any other connection, of any process, commits a change to the file.

        An idle subscription asks this (a pragma, microseconds) instead of reading every partition
        (a query each, twenty times a second, for every consumer of a worker).
        """
        with self._watch_lock:
            if self._watch is None:
                self._watch = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            value: int = self._watch.execute("PRAGMA data_version").fetchone()[0]
            return value

    def ensure_topics(self, topics: Iterable[str]) -> None:
        """Declare missing topics with the configured number of partitions."""
        with self.engine.begin() as conn:
            existing = set(conn.execute(sa.select(_topics.c.name)).scalars())
            rows = [
                {"name": t, "partitions": self.partitions} for t in dict.fromkeys(topics) if t not in existing
            ]
            if rows:
                conn.execute(_topics.insert(), rows)

    def topics(self, prefix: str = "") -> list[str]:
        """Return the declared topics whose names start with a prefix, sorted."""
        with self.reader.connect() as conn:
            names = conn.execute(sa.select(_topics.c.name)).scalars()
            return sorted(n for n in names if n.startswith(prefix))

    def publish(self, records: Sequence[OutgoingRecord], timeout: float | None = None) -> None:
        """Append the records in one transaction: all of them or none (the timeout is not needed here)."""
        if not records:
            return
        try:
            with self.engine.begin() as conn:
                self.append(conn, records)
        except sa.exc.OperationalError as exc:
            raise BusUnavailable(f"event log unavailable: {exc}") from exc

    def append(self, conn: sa.Connection, records: Sequence[OutgoingRecord]) -> None:
        """Append the records in the caller's transaction of the log."""
        partitions = {
            name: count for name, count in conn.execute(sa.select(_topics.c.name, _topics.c.partitions))
        }
        next_offsets: dict[TopicPartition, int] = {}
        rows = []
        now_ms = int(time.time() * 1000)
        for record in records:
            if record.topic not in partitions:
                raise BusUnavailable(f"unknown topic {record.topic}")
            tp = (record.topic, zlib.crc32(record.key) % partitions[record.topic])
            if tp not in next_offsets:
                next_offsets[tp] = _end_offset(conn, tp)
            rows.append(
                {
                    "topic": tp[0],
                    "partition": tp[1],
                    "offset": next_offsets[tp],
                    "key": record.key,
                    "headers": _encode_headers(record.headers),
                    "value": record.value,
                    "timestamp_ms": now_ms,
                }
            )
            next_offsets[tp] += 1
        conn.execute(_log.insert(), rows)

    def subscribe(
        self, group: str, topics: Sequence[str], start_at: StartAt | None = None
    ) -> EmbeddedSubscription:
        """Start reading the topics as a group, where ``start_at`` says, else from its committed offsets."""
        return EmbeddedSubscription(self, group, list(topics), start_at)

    def ping(self) -> bool:
        """Return whether the log file can be read."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(_topics))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def close(self) -> None:
        """Close the file's connections."""
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.engine.dispose()

    def read(self, topics: Sequence[str], start: Start, limit: int) -> list[Record]:
        """Read up to ``limit`` records per partition from the earliest offset, an offset, or a time."""
        records: list[Record] = []
        with self.reader.connect() as conn:
            for topic, partition in self.partitions_of(conn, topics):
                where = (_log.c.topic == topic) & (_log.c.partition == partition)
                if start.offset is not None:
                    where &= _log.c.offset >= start.offset
                if start.timestamp_ms is not None:
                    where &= _log.c.timestamp_ms >= start.timestamp_ms
                rows = conn.execute(
                    sa.select(_log).where(where).order_by(_log.c.offset).limit(limit)
                ).mappings()
                records += [_to_record(row) for row in rows]
        return records

    def transactional_publisher(self, transactional_id: str) -> DirectPublisher:
        """Return a publisher of the log: each of its publishes is already one SQLite transaction."""
        return DirectPublisher(self)

    def last_records(self, topic: str, window: int = 100) -> list[Record]:
        """Return the newest record of each partition of a topic."""
        records: list[Record] = []
        with self.reader.connect() as conn:
            for name, partition in self.partitions_of(conn, [topic]):
                where = (_log.c.topic == name) & (_log.c.partition == partition)
                row = conn.execute(sa.select(_log).where(where).order_by(_log.c.offset.desc()).limit(1))
                records += [_to_record(r) for r in row.mappings()]
        return records

    def group_lag(self) -> list[GroupLag]:
        """Return every group's committed and end offset per partition."""
        with self.reader.connect() as conn:
            rows = conn.execute(sa.select(_group_offsets).order_by(_group_offsets.c.group_id)).all()
            return [
                GroupLag(
                    r.group_id, r.topic, r.partition, r.offset, _end_offset(conn, (r.topic, r.partition))
                )
                for r in rows
            ]

    def topic_ends(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        """Return the offset the next record of each partition of the topics will get."""
        with self.reader.connect() as conn:
            return {tp: _end_offset(conn, tp) for tp in self.partitions_of(conn, list(topics))}

    def group_members(self) -> list[GroupMember]:
        """Return no members: the embedded log keeps committed offsets, not live group membership."""
        return []

    def forget_consumed(self, group: str, topics: Sequence[str]) -> int:
        """Empty the records a group has committed past (their offsets stay, so numbering goes on)."""
        trimmed = 0
        with self.engine.begin() as conn:
            committed = conn.execute(
                sa.select(_group_offsets.c.topic, _group_offsets.c.partition, _group_offsets.c.offset).where(
                    (_group_offsets.c.group_id == group) & _group_offsets.c.topic.in_(topics)
                )
            ).all()
            for topic, partition, offset in committed:
                done = conn.execute(
                    _log.update()
                    .where(
                        (_log.c.topic == topic)
                        & (_log.c.partition == partition)
                        & (_log.c.offset < offset)
                        & _log.c.value.is_not(None)
                    )
                    .values(key=None, value=None, headers="[]")
                )
                trimmed += 1 if done.rowcount else 0
        return trimmed

    def partitions_of(self, conn: sa.Connection, topics: Sequence[str]) -> list[TopicPartition]:
        """Return every partition of the given topics."""
        rows = conn.execute(sa.select(_topics.c.name, _topics.c.partitions).where(_topics.c.name.in_(topics)))
        return [(name, p) for name, count in rows for p in range(count)]


class EmbeddedSubscription:
    """A group's reader of some topics of the embedded log."""

    def __init__(self, bus: EmbeddedBus, group: str, topics: list[str], start_at: StartAt | None = None):
        self.bus = bus
        self.group = group
        self.topics = topics
        self.start_at = start_at
        self._positions: dict[TopicPartition, int] | None = None
        self._read_empty_at: int | None = None
        """The log's data version when a read last found nothing: until it moves, nothing is new."""

    def poll(self, max_records: int, timeout: float) -> list[Record]:
        """Return the next records, waiting up to ``timeout`` seconds for some to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            version = self.bus.data_version()
            records = [] if version == self._read_empty_at else self._read(max_records)
            self._read_empty_at = None if records else version
            if records or time.monotonic() >= deadline:
                return records
            time.sleep(min(_POLL_INTERVAL, max(0.0, deadline - time.monotonic())))

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Store the group's next offsets durably."""
        if not offsets:
            return
        with self.bus.engine.begin() as conn:
            self._store(conn, offsets)

    def forward(
        self,
        publisher: Publisher,
        records: Sequence[OutgoingRecord],
        offsets: Mapping[TopicPartition, int],
        timeout: float | None = None,
    ) -> None:
        """Append the records and store the group's next offsets in one transaction of the log."""
        try:
            with self.bus.engine.begin() as conn:
                if records:
                    self.bus.append(conn, records)
                self._store(conn, offsets)
        except sa.exc.OperationalError as exc:
            raise BusUnavailable(f"event log unavailable: {exc}") from exc

    def _store(self, conn: sa.Connection, offsets: Mapping[TopicPartition, int]) -> None:
        for (topic, partition), offset in offsets.items():
            where = (
                (_group_offsets.c.group_id == self.group)
                & (_group_offsets.c.topic == topic)
                & (_group_offsets.c.partition == partition)
            )
            if conn.execute(_group_offsets.update().where(where).values(offset=offset)).rowcount == 0:
                conn.execute(
                    _group_offsets.insert().values(
                        group_id=self.group, topic=topic, partition=partition, offset=offset
                    )
                )

    def settle(self) -> None:
        """Nothing to settle: the log has no transaction markers."""

    def rewind(self) -> None:
        """Read every partition again from offset 0, and store 0 as the group's offsets, so a member that
        subscribes again (after an outage mid-rebuild) starts from the beginning too."""
        with self.bus.engine.begin() as conn:
            self._positions = {tp: 0 for tp in self.bus.partitions_of(conn, self.topics)}
            self._store(conn, self._positions)
        self._read_empty_at = None

    def end_offsets(self) -> dict[TopicPartition, int]:
        """Return the next offset to be written per partition."""
        with self.bus.reader.connect() as conn:
            return {tp: _end_offset(conn, tp) for tp in self.bus.partitions_of(conn, self.topics)}

    def positions(self) -> dict[TopicPartition, int]:
        """Return the next offset to read per partition."""
        with self.bus.reader.connect() as conn:
            return dict(self._load_positions(conn))

    def close(self) -> None:
        """Forget the read positions (committed offsets stay)."""
        self._positions = None
        self._read_empty_at = None

    def _read(self, max_records: int) -> list[Record]:
        """Read up to ``max_records`` records after the current positions, partition by partition."""
        with self.bus.reader.connect() as conn:
            positions = self._load_positions(conn)
            records: list[Record] = []
            for (topic, partition), position in positions.items():
                if len(records) >= max_records:
                    break
                rows = conn.execute(
                    sa.select(_log)
                    .where(
                        (_log.c.topic == topic)
                        & (_log.c.partition == partition)
                        & (_log.c.offset >= position)
                    )
                    .order_by(_log.c.offset)
                    .limit(max_records - len(records))
                ).mappings()
                for row in rows:
                    records.append(_to_record(row))
                    positions[(topic, partition)] = row["offset"] + 1
            return records

    def _load_positions(self, conn: sa.Connection) -> dict[TopicPartition, int]:
        """Start where the consumer's own positions say, else from the committed offsets, on first use;
        pick up partitions of topics created later."""
        if self._positions is None:
            self._positions = {}
        new = [tp for tp in self.bus.partitions_of(conn, self.topics) if tp not in self._positions]
        if new:
            committed = {
                (r.topic, r.partition): r.offset
                for r in conn.execute(
                    sa.select(_group_offsets).where(_group_offsets.c.group_id == self.group)
                )
            }
            own = self.start_at(new) if self.start_at is not None else {}
            for tp in new:
                self._positions[tp] = own.get(tp, committed.get(tp, 0))
        return self._positions


def _end_offset(conn: sa.Connection, tp: TopicPartition) -> int:
    """Return the offset the next record of a partition will get."""
    query = sa.select(sa.func.max(_log.c.offset)).where((_log.c.topic == tp[0]) & (_log.c.partition == tp[1]))
    last = conn.execute(query).scalar()
    return 0 if last is None else int(last) + 1


def _encode_headers(headers: Sequence[tuple[str, bytes]]) -> str:
    """Encode headers as JSON, values in base64 (they are bytes)."""
    return json.dumps([[k, base64.b64encode(v).decode()] for k, v in headers])


def _to_record(row: sa.RowMapping) -> Record:
    """Map a log row to a record."""
    headers = [(k, base64.b64decode(v)) for k, v in json.loads(row["headers"])]
    return Record(
        topic=row["topic"],
        partition=row["partition"],
        offset=row["offset"],
        key=row["key"],
        headers=headers,
        value=row["value"],
        timestamp_ms=row["timestamp_ms"],
    )

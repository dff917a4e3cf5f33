"""Database engines and the tables every service shares: events (the outbox), relay progress, tracking."""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from shared.files import private_file

log = logging.getLogger(__name__)

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored with its time zone and always read back as aware UTC (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Store aware timestamps in UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be time-zone aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Return the timestamp as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


AFTER_COMMIT = "thidua_after_commit"


def after_commit(conn: sa.Connection, action: Callable[[], object]) -> None:
    """Run ``action`` once the transaction of ``conn`` (begun by ``transaction``) has committed: what
    cannot be rolled back, such as removing files, never happens for a transaction that did not commit."""
    conn.info.setdefault(AFTER_COMMIT, []).append(action)


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """Begin a transaction; the actions ``after_commit`` registered in it run after it committed (one that
    fails is logged: what it followed is committed and stays so)."""
    with engine.begin() as conn:
        conn.info[AFTER_COMMIT] = []
        yield conn
        actions = conn.info.pop(AFTER_COMMIT, [])
    for action in actions:
        try:
            action()
        except Exception:
            log.exception("an action after a commit failed")


def is_transient(error: BaseException) -> bool:
    """Return whether an error says the database is unreachable or busy, not that the work is wrong."""
    return isinstance(error, sa.exc.DBAPIError) and (
        error.connection_invalidated or isinstance(error, sa.exc.OperationalError)
    )


def serialise(conn: sa.Connection, name: str) -> None:
    """Hold a lock named ``name`` until the transaction ends, so such transactions run one at a time.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite needs nothing, since every write
    transaction here begins IMMEDIATE and so already holds the database's single write lock.
    """
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


IDLE_IN_TRANSACTION_SECONDS = 10.0
"""How long PostgreSQL lets a session sit idle inside a transaction before it ends the session. A process
frozen mid-transaction (SIGSTOP, a stalled VM) would otherwise keep its row locks for ever, and a standby
asking for a lease row it locked would wait for ever too; the suite never waits on anything but the
database between two statements of a transaction, so ten seconds idle only ever means such a zombie."""


def create_engine(
    url: str, idle_in_transaction_seconds: float = IDLE_IN_TRANSACTION_SECONDS, **kwargs: Any
) -> sa.Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and transactions that take the write lock at BEGIN;
    PostgreSQL ends a session idle in a transaction after ``idle_in_transaction_seconds``.

    On SQLite, ``engine.execution_options(sqlite_begin="DEFERRED")`` gives a reader that takes no lock.
    """
    kwargs.setdefault("json_serializer", _json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql"):
        idle = f"-c idle_in_transaction_session_timeout={int(idle_in_transaction_seconds * 1000)}"
        kwargs["connect_args"] = {"options": idle, **kwargs.get("connect_args", {})}
    return sa.create_engine(url, **kwargs)


def _json_text(value: Any) -> str:
    """Write a JSON column's value with orjson (the stdlib encoder was the largest cost of a rebuild)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_engine(url: str, **kwargs: Any) -> sa.Engine:
    """Build a SQLite engine safe for several processes: serialised writers, no stale snapshots."""
    database = sa.make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_file(Path(database))  # 0600 in a 0700 folder: it may hold password hashes
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" hook emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def fresh_database(server_url: str, prefix: str = "scratch") -> Iterator[str]:
    """Create an empty PostgreSQL database on a server, yield its URL, and drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def event_store_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """Declare the events table (the store and the outbox) and the relay's progress table."""
    events = sa.Table(
        "events",
        metadata,
        sa.Column("position", Position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("metadata", JSONType, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
    )
    progress = sa.Table(
        "relay_progress",
        metadata,
        sa.Column("relay", sa.String(100), primary_key=True),
        sa.Column("position", Position, nullable=False),
    )
    return events, progress


POSITIONS = "consumer_positions"
"""The consumers' positions: per (consumer, topic, partition), the offset of the next record to apply."""


def tracking_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the consumers' tracking tables and return the one of event ids.

    A consumer's position per partition (``consumer_positions``) is written with every batch's effects:
    a record below it was applied, or deliberately passed over. Event ids (``processed_events``) are
    claimed only for records that can arrive as a copy on purpose: a re-drive, a topic fed from outside,
    a policy reading its topics again after its database was recovered.
    """
    sa.Table(
        POSITIONS,
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(249), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("next_offset", sa.BigInteger, nullable=False),
        sa.Column("applied_at", UTCDateTime, nullable=False),
    )
    return sa.Table(
        "processed_events",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )


def hold_positions(
    conn: sa.Connection,
    positions: sa.Table,
    consumer: str,
    partitions: Collection[tuple[str, int]],
    at: datetime,
) -> dict[tuple[str, int], int]:
    """Lock a consumer's position rows of these partitions (made at offset 0 when new); return them.

    One statement: an upsert that leaves a row as it is still locks it, and ``RETURNING`` gives its
    offset. A replica holding the same partitions at once (a rebalance under way) waits on the first
    one's rows and then reads what it committed; the rows are taken in order, so two cannot deadlock.
    """
    if not partitions:
        return {}
    rows = [
        {"consumer": consumer, "topic": topic, "partition": partition, "next_offset": 0, "applied_at": at}
        for topic, partition in sorted(partitions)
    ]
    insert = _dialect_insert(conn)(positions).values(rows)
    held = insert.on_conflict_do_update(
        index_elements=[positions.c.consumer, positions.c.topic, positions.c.partition],
        set_={"next_offset": positions.c.next_offset},
    ).returning(positions.c.topic, positions.c.partition, positions.c.next_offset)
    return {(topic, partition): offset for topic, partition, offset in conn.execute(held)}


def advance_positions(
    conn: sa.Connection,
    positions: sa.Table,
    consumer: str,
    offsets: Mapping[tuple[str, int], int],
    at: datetime,
) -> None:
    """Move a consumer's held positions to these next offsets (the caller never moves one back)."""
    if not offsets:
        return
    mine = (
        (positions.c.consumer == consumer)
        & (positions.c.topic == sa.bindparam("t"))
        & (positions.c.partition == sa.bindparam("p"))
    )
    conn.execute(
        positions.update().where(mine).values(next_offset=sa.bindparam("n"), applied_at=at),
        [{"t": topic, "p": partition, "n": offset} for (topic, partition), offset in sorted(offsets.items())],
    )


def _dialect_insert(conn: sa.Connection) -> Any:
    """Return the INSERT construct of the connection's dialect (with ON CONFLICT)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def claim(
    conn: sa.Connection, tracking: sa.Table, consumer: str, event_ids: Collection[str], at: datetime
) -> set[str]:
    """Write a consumer's tracking rows for the events it has not applied yet; return those events' ids.

    One statement a batch: the ids travel as one array (PostgreSQL) or one JSON list (SQLite), the rows
    already there are left by ``ON CONFLICT DO NOTHING``, and ``RETURNING`` names the rows written, so
    the lookup and the insert are one round trip. The rows belong to the caller's transaction: if the
    apply that follows fails, they go with it. A replica claiming the same ids at once waits on the first
    one's rows and then skips what it committed; the ids are taken in order, so two claims cannot
    deadlock.
    """
    if not event_ids:
        return set()
    prepare = conn.dialect.identifier_preparer
    target = prepare.format_table(tracking)
    columns = ", ".join(prepare.quote(c) for c in ("consumer", "event_id", "processed_at"))
    stamp = tracking.c.processed_at.type.bind_processor(conn.dialect)
    when = stamp(at) if stamp else at
    ordered = sorted(event_ids)
    if conn.dialect.name == "postgresql":
        sql = (
            f"INSERT INTO {target} ({columns}) SELECT %s, id, %s FROM unnest(%s::text[]) AS id"
            " ORDER BY id ON CONFLICT DO NOTHING RETURNING event_id"
        )
        return set(conn.exec_driver_sql(sql, (consumer, when, ordered)).scalars())
    sql = (
        f"INSERT INTO {target} ({columns}) SELECT ?, value, ? FROM json_each(?) WHERE true"
        " ON CONFLICT DO NOTHING RETURNING event_id"
    )
    return set(conn.exec_driver_sql(sql, (consumer, when, orjson.dumps(ordered).decode())).scalars())


@functools.cache
def keyed_statements(table: sa.Table, keys: tuple[str, ...], values: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """Build once a table's update, insert and existence query by key columns (params: ``keyed_params``)."""
    where = sa.and_(*(table.c[k] == sa.bindparam(f"k_{k}") for k in keys))
    update = (
        table.update().where(where).values({v: sa.bindparam(f"v_{v}") for v in values}) if values else None
    )
    insert = table.insert().values(
        {c: sa.bindparam(f"{'k' if c in keys else 'v'}_{c}") for c in (*keys, *values)}
    )
    exists = sa.select(sa.literal(1)).select_from(table).where(where)
    return update, insert, exists


def keyed_params(keys: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the parameters of ``keyed_statements`` for one row's key and values."""
    return {**{f"k_{k}": v for k, v in keys.items()}, **{f"v_{k}": v for k, v in values.items()}}


def upsert_many(
    conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert or update many rows of a table at once (the last row of a key wins), with a few statements."""
    latest = {tuple(row[k] for k in keys): row for row in rows}
    first = keys[0]
    existing = {
        tuple(found)
        for found in conn.execute(
            sa.select(*(table.c[k] for k in keys)).where(table.c[first].in_({key[0] for key in latest}))
        )
    }
    values = tuple(c for c in rows[0] if c not in keys)
    update, insert, _exists = keyed_statements(table, keys, values)
    changes: dict[str, list[dict[str, Any]]] = {"update": [], "insert": []}
    for key, row in latest.items():
        params = keyed_params({k: row[k] for k in keys}, {v: row[v] for v in values})
        changes["update" if key in existing else "insert"].append(params)
    if changes["update"]:
        conn.execute(update, changes["update"])
    if changes["insert"]:
        conn.execute(insert, changes["insert"])

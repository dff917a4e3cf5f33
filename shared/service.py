"""The pieces every service's composition root builds: database, event store, bus, relay, runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

import sqlalchemy as sa

from shared import tracing
from shared.bus import Bus
from shared.bus.factory import bus_of
from shared.catalogue import Catalogue
from shared.db import create_engine, serialise
from shared.envelope import Envelope
from shared.eventstore import ANY_VERSION, Context, EventStore, NewEvent
from shared.handlers import Handlers
from shared.leases import Lease, LeasedLoop, LeaseTiming, Loop
from shared.logs import configure_logging
from shared.metrics import LagCollector, relay_lag_of
from shared.personal import KeyRing, MasterKeys
from shared.relay import OutboxRelay
from shared.settings import CommonSettings

S = TypeVar("S", bound="ServiceContext")
Built = TypeVar("Built")


@dataclass(frozen=True)
class State:
    """A service's state tables and the handlers that keep them from its own events."""

    handlers: Handlers[None]
    tables: tuple[sa.Table, ...]
    """In the order rows may be inserted (they are emptied in the reverse order)."""


def stream_append(
    stream_id: str, events: Sequence[NewEvent], expected_version: int | None
) -> list[tuple[str, int, Sequence[NewEvent]]]:
    """Return one stream's append (none when there is nothing to record), at any version unless given."""
    if not events:
        return []
    return [(stream_id, ANY_VERSION if expected_version is None else expected_version, events)]


def record_events(
    store: EventStore,
    state: State | None,
    conn: sa.Connection,
    appends: Sequence[tuple[str, int, Sequence[NewEvent]]],
    context: Context,
) -> list[Envelope]:
    """Append to streams and apply the stored events with the state's handlers (when it keeps state)."""
    stored = store.append_many(conn, appends, context)
    if state is not None:
        state.handlers.apply_all(conn, stored)
    return stored


@dataclass
class ServiceContext:
    """A service's live dependencies; built once per process by its bootstrap, never at import."""

    settings: CommonSettings
    engine: sa.Engine
    catalogue: Catalogue
    metadata: sa.MetaData
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    state: State | None = None
    _bus: Bus | None = field(default=None, repr=False)
    config: Any = field(default=None, kw_only=True, repr=False)
    """The service's own settings (its config.py's type, with ``common`` the settings above)."""

    def record(
        self,
        conn: sa.Connection,
        stream_id: str,
        events: Sequence[NewEvent],
        context: Context,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        """Append events (checking the expected version when given) and apply them to the state tables."""
        appends = stream_append(stream_id, events, expected_version)
        return self.record_many(conn, appends, context) if appends else []

    def record_many(
        self, conn: sa.Connection, appends: Sequence[tuple[str, int, Sequence[NewEvent]]], context: Context
    ) -> list[Envelope]:
        """Append to several streams at once and apply the events to the state tables."""
        return record_events(self.store, self.state, conn, appends, context)

    def rebuild_state(self, batch_size: int = 5000) -> int:
        """Empty the state tables and apply every event of the store again, in one transaction.

        The transaction holds the write lock, so no command decides meanwhile and readers see the old
        tables until the new ones commit. Return how many events were applied.
        """
        if self.state is None:
            return 0
        applied, position = 0, 0
        with self.transaction() as conn:
            for table in reversed(self.state.tables):
                conn.execute(table.delete())
            while stored := self.store.read_after(conn, position, batch_size):
                for item in stored:
                    event = item.envelope
                    data = self.catalogue[event.type].stored(event.schema_version, event.data)
                    self.state.handlers.apply(conn, event, data)
                position, applied = stored[-1].position, applied + len(stored)
        return applied

    def __post_init__(self) -> None:
        fixed = self.settings.clock_at
        if fixed is not None:
            self.clock = lambda: fixed

    @contextmanager
    def transaction(self, scope: str | None = None) -> Iterator[sa.Connection]:
        """Begin a write transaction in which a use case reads what it decides on and records.

        Without a ``scope`` it holds the service's write lock from the start, so no other command's
        checks and appends interleave with its own. With one (a use case whose rules concern that scope
        alone, such as one filer's filings of one form), it holds a lock of that scope only, and the write
        lock from its append to its commit (the append takes it: positions stay gap-free for the relay),
        so commands of other scopes decide meanwhile. On SQLite every write transaction holds the
        database's single write lock from its start either way.
        """
        with self.engine.begin() as conn:
            if scope is None:
                self.store.lock_writes(conn)
            else:
                serialise(conn, f"{self.settings.service}:{scope}")
            yield conn

    @property
    def reader(self) -> sa.Engine:
        """Return an engine for reads (on SQLite, one that takes no write lock)."""
        return self.engine.execution_options(sqlite_begin="DEFERRED")

    @property
    def bus(self) -> Bus:
        """Return the bus, connecting on first use."""
        if self._bus is None:
            self._bus = bus_of(self.settings)
        return self._bus

    @property
    def store(self) -> EventStore:
        """Return the service's event store."""
        return EventStore(self.metadata.tables["events"], self.catalogue, self.settings.service, self.keyring)

    @cached_property
    def keyring(self) -> KeyRing | None:
        """Return the keys of the personal data this service owns (None when it keeps no key table).

        The master key is the service's ``personal_keys`` setting, else the token key (as ``make run`` has).
        """
        table = self.metadata.tables.get("personal_keys")
        if table is None:
            return None
        materials = getattr(self.config, "personal_keys", ()) or (self.settings.jwt_secret,)
        return KeyRing(table, MasterKeys(materials))

    def relay(self, topic: str) -> OutboxRelay:
        """Return the outbox relay that publishes this service's events to its topic, under a lease."""
        name = f"{self.settings.service}-relay"
        return OutboxRelay(
            name,
            self.engine,
            self.store,
            self.metadata.tables["relay_progress"],
            self.bus,
            topic,
            lease=self.lease(name),
        )

    def relay_loop(self, topic: str) -> LeasedLoop:
        """Return the relay as a loop that publishes only in the replica holding its lease."""
        relay = self.relay(topic)
        assert relay.lease is not None
        return LeasedLoop(relay.lease, relay.run)

    def lease(self, name: str) -> Lease:
        """Return this process's view of a named lease in the service's database."""
        timing = LeaseTiming.for_failover(self.settings.failover_seconds)
        return Lease(self.engine, self.metadata.tables["leases"], name, timing)

    def singleton(self, name: str, loop: Loop, on_close: Callable[[], object] | None = None) -> LeasedLoop:
        """Return a loop that runs in one replica at a time, under the lease of that name."""
        return LeasedLoop(self.lease(f"{self.settings.service}-{name}"), loop, on_close)

    def lags(self) -> LagCollector:
        """Return the collector of this service's relay lag and the bus's consumer lag, for /metrics."""
        return LagCollector(
            self.settings.service, relay_lag_of(self.engine, self.metadata), self.bus.group_lag
        )

    def database_ready(self) -> bool:
        """Return whether the database answers a query."""
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True

    def bus_ready(self) -> bool:
        """Return whether the bus answers."""
        return self.bus.ping()

    def close(self) -> None:
        """Release the database pool and the bus."""
        if self._bus is not None:
            self._bus.close()
        self.engine.dispose()


def build_context(
    kind: type[S],
    settings: Any,
    catalogue: Catalogue,
    metadata: sa.MetaData,
    state: State | None = None,
) -> S:
    """Build a service of the given type from its settings (``settings.common`` the common ones)."""
    common: CommonSettings = settings.common
    return kind(common, create_engine(common.database_url), catalogue, metadata, state=state, config=settings)


def from_environment(load_settings: Callable[[], Any], bootstrap: Callable[[Any], Built]) -> Built:
    """Read a service's settings from the environment, start its JSON logs, and build it."""
    settings = load_settings()
    configure_logging(settings.common.service, settings.common.log_level)
    tracing.configure(settings.common.service)
    return bootstrap(settings)

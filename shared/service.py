"""The pieces every service's composition root builds: database, event store, bus, relay, runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from shared.bus import Bus, make_bus
from shared.catalogue import Catalogue
from shared.db import create_engine
from shared.envelope import Envelope
from shared.eventstore import ANY_VERSION, Context, EventStore, NewEvent
from shared.leases import Lease, LeasedLoop, LeaseTiming, Loop
from shared.metrics import LagCollector, relay_lag_of
from shared.relay import OutboxRelay
from shared.settings import CommonSettings


@dataclass
class ServiceContext:
    """A service's live dependencies; built once per process by its bootstrap, never at import."""

    settings: CommonSettings
    engine: sa.Engine
    catalogue: Catalogue
    metadata: sa.MetaData
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    apply_state: Callable[[sa.Connection, list[Envelope]], None] | None = None
    _bus: Bus | None = field(default=None, repr=False)

    def record(
        self,
        conn: sa.Connection,
        stream_id: str,
        events: Sequence[NewEvent],
        context: Context,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        """Append events (checking the expected version when given) and apply them to the state tables."""
        if not events:
            return []
        expected = ANY_VERSION if expected_version is None else expected_version
        return self.record_many(conn, [(stream_id, expected, events)], context)

    def record_many(
        self, conn: sa.Connection, appends: Sequence[tuple[str, int, Sequence[NewEvent]]], context: Context
    ) -> list[Envelope]:
        """Append to several streams at once and apply the events to the state tables."""
        stored = self.store.append_many(conn, appends, context)
        if self.apply_state is not None:
            self.apply_state(conn, stored)
        return stored

    def __post_init__(self) -> None:
        fixed = self.settings.clock_at
        if fixed is not None:
            self.clock = lambda: fixed

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """Begin a write transaction that holds the write lock, so checks and appends cannot interleave."""
        with self.engine.begin() as conn:
            self.store.lock_writes(conn)
            yield conn

    @property
    def reader(self) -> sa.Engine:
        """Return an engine for reads (on SQLite, one that takes no write lock)."""
        return self.engine.execution_options(sqlite_begin="DEFERRED")

    @property
    def bus(self) -> Bus:
        """Return the bus, connecting on first use."""
        if self._bus is None:
            settings = self.settings
            self._bus = make_bus(
                settings.bus_url,
                settings.topic_partitions,
                settings.service,
                replication=settings.topic_replication,
                min_insync=settings.topic_min_insync,
                auth=settings.kafka,
            )
        return self._bus

    @property
    def store(self) -> EventStore:
        """Return the service's event store."""
        return EventStore(self.metadata.tables["events"], self.catalogue, self.settings.service)

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
    settings: CommonSettings,
    catalogue: Catalogue,
    metadata: sa.MetaData,
    apply_state: Callable[[sa.Connection, list[Envelope]], None] | None = None,
) -> ServiceContext:
    """Build a service's context from its settings."""
    return ServiceContext(
        settings, create_engine(settings.database_url), catalogue, metadata, apply_state=apply_state
    )

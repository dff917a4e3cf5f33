"""The unit of work: the port every use case decides through.

A use case opens one write transaction, reads there what its decision needs (the snapshot), lets the
pure domain decide, and records the events the decision returns, which the service's state handlers
apply in that same transaction. ``UnitOfWork`` names those jobs; a service's ``ServiceContext`` is its
SQL implementation (its write lock, its event store, its database), and ``InMemoryUnitOfWork`` is the
one the fast tier decides on: the same event store and the same state handlers over an in-memory
database, with a clock the test sets, and no file, socket, bus or process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from shared.catalogue import Catalogue
from shared.envelope import Envelope
from shared.eventstore import Context, EventStore, NewEvent
from shared.personal import KeyRing
from shared.service import State, record_events, stream_append


class UnitOfWork(Protocol):
    """What a use case decides through: a write transaction, the time, and the recording of events."""

    @property
    def clock(self) -> Callable[[], datetime]:
        """Return the service's clock (the time a decision is taken at)."""
        ...

    @property
    def keyring(self) -> KeyRing | None:
        """Return the keys of the personal data the service seals (None when it keeps none)."""
        ...

    @property
    def reader(self) -> sa.Engine:
        """Return an engine for reads that take no write lock (what a round of checks scans first)."""
        ...

    def transaction(self, scope: str | None = None) -> AbstractContextManager[sa.Connection]:
        """Begin the write transaction in which the use case reads its snapshot and records (under the
        service's write lock, or a lock of ``scope`` alone until its append: shared.service)."""
        ...

    def record(
        self,
        conn: sa.Connection,
        stream_id: str,
        events: Sequence[NewEvent],
        context: Context,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        """Append events to a stream (at the expected version when given) and apply them to the state."""
        ...

    def record_many(
        self, conn: sa.Connection, appends: Sequence[tuple[str, int, Sequence[NewEvent]]], context: Context
    ) -> list[Envelope]:
        """Append to several streams at once (each at its expected version) and apply the events."""
        ...


class InMemoryUnitOfWork:
    """The unit of work of the fast tier: a service's tables in an in-memory SQLite database, its events
    recorded by its own event store and applied by its own state handlers, the clock set by the test."""

    def __init__(
        self,
        metadata: sa.MetaData,
        catalogue: Catalogue,
        state: State | None,
        service: str,
        now: datetime = datetime(2023, 3, 1, 3, 0, tzinfo=UTC),
    ):
        self.engine = sa.create_engine("sqlite://", poolclass=StaticPool)
        metadata.create_all(self.engine)
        self.metadata = metadata
        self.catalogue = catalogue
        self.state = state
        self.store = EventStore(metadata.tables["events"], catalogue, service)
        self.now = now
        self.clock: Callable[[], datetime] = lambda: self.now
        self.recorded: list[Envelope] = []
        """Every event recorded by a committed transaction, in order."""
        self._pending: list[Envelope] = []

    @property
    def keyring(self) -> KeyRing | None:
        """Keep no personal keys: values are recorded and read as given."""
        return None

    @property
    def reader(self) -> sa.Engine:
        """Return the in-memory database (reads see what committed transactions recorded)."""
        return self.engine

    @contextmanager
    def transaction(self, scope: str | None = None) -> Iterator[sa.Connection]:
        """Begin a transaction (one at a time in memory, whatever the scope); what it recorded counts
        only once it commits."""
        pending: list[Envelope] = []
        self._pending = pending
        with self.engine.begin() as conn:
            yield conn
        self.recorded += pending

    def record(
        self,
        conn: sa.Connection,
        stream_id: str,
        events: Sequence[NewEvent],
        context: Context,
        expected_version: int | None = None,
    ) -> list[Envelope]:
        """Append through the event store and apply with the state handlers, as the service does."""
        appends = stream_append(stream_id, events, expected_version)
        return self.record_many(conn, appends, context) if appends else []

    def record_many(
        self, conn: sa.Connection, appends: Sequence[tuple[str, int, Sequence[NewEvent]]], context: Context
    ) -> list[Envelope]:
        """Append to several streams at once and apply the events, as the service does."""
        stored = record_events(self.store, self.state, conn, appends, context)
        self._pending += stored
        return stored

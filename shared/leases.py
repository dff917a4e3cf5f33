"""Leases: at most one replica runs a named loop (a relay, a watcher, a mailer) at a time.

A lease is a row in the service's own database: its name, who holds it and until when (seconds since
the epoch, by the database's clock on PostgreSQL). The holder renews it well before it expires; a
standby takes it only once it has expired, so after the holder is killed a standby takes over within
the lease time plus one retry interval. A clean stop releases the lease so a standby takes it at once.

What the holder does while it believes it holds the lease is bounded by its own monotonic clock:
``held(margin)`` says whether the lease will still be valid ``margin`` seconds from now, and
``confirm(conn)`` checks, inside the caller's transaction, that nobody took it in the meantime.

Holding a lease means making progress, not only being alive: a leased loop looks at its ``Tenure``
between steps (``is_set``, ``wait``), and a loop that has not looked for longer than its step deadline
(``STEP_DEADLINE``, or the lease time if longer) is stuck in a step. Its renewals then stop, the lease
is released so a standby takes over at once, the loop's state reads ``stuck`` (the worker is not
ready) and the log says which loop and for how long.

Every reading of the time and every wait goes through the lease's ``Clock`` (shared/clock.py): the
system's in production, a ManualClock in tests, which move it instead of sleeping.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge

from shared.clock import SYSTEM, Clock
from shared.db import is_transient

log = logging.getLogger(__name__)
HELD = Gauge("thidua_lease_held", "1 while this process holds the lease, 0 while it stands by.", ["lease"])
Loop = Callable[[threading.Event], Any]
STEP_DEADLINE = 60.0
"""How long one step of a leased loop may last before it is taken for stuck. Every wait on Kafka or the
database inside a step is bounded (at most the 10 s delivery timeout or a request's 30 s), so a step
past this is a call without a bound; a shorter deadline took relays waiting out a lost quorum for stuck."""


def lease_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the leases table: one row per named loop that only one replica may run."""
    return sa.Table(
        "leases",
        metadata,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def holder_id() -> str:
    """Return a name for this process that no other process shares: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class LeaseTiming:
    """How long a lease lasts, how often the holder renews it and how often a standby asks for it.

    Derived from one setting, the failover time: a standby takes over at most that long after the
    holder died (lease time plus one retry interval).
    """

    ttl: float
    renew_every: float
    retry_every: float

    @classmethod
    def for_failover(cls, seconds: float) -> LeaseTiming:
        """Return the timing under which a standby takes over within ``seconds``."""
        ttl = seconds * 0.8
        return cls(ttl=ttl, renew_every=ttl / 4, retry_every=seconds * 0.1)


class Lease:
    """A named lease in one database, as seen by one would-be holder."""

    def __init__(
        self,
        engine: sa.Engine,
        table: sa.Table,
        name: str,
        timing: LeaseTiming,
        holder: str = "",
        clock: Clock = SYSTEM,
    ):
        self.engine = engine
        self.clock = clock
        self.table = table
        self.name = name
        self.timing = timing
        self.holder = holder or holder_id()
        self._valid_until = 0.0

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if held; return whether it is held now."""
        started = self.clock.monotonic()
        t = self.table
        try:
            with self.engine.begin() as conn:
                now = self.clock.database_time(conn)
                taken = conn.execute(
                    t.update()
                    .where((t.c.name == self.name) & ((t.c.holder == self.holder) | (t.c.expires_at < now)))
                    .values(holder=self.holder, expires_at=now + self.timing.ttl)
                ).rowcount
                if not taken:
                    if conn.execute(sa.select(t.c.name).where(t.c.name == self.name)).first() is not None:
                        self._valid_until = 0.0
                        return False
                    conn.execute(
                        t.insert().values(
                            name=self.name, holder=self.holder, expires_at=now + self.timing.ttl
                        )
                    )
        except sa.exc.IntegrityError:  # another replica inserted the row first
            self._valid_until = 0.0
            return False
        self._valid_until = started + self.timing.ttl
        return True

    def held(self, margin: float = 0.0) -> bool:
        """Return whether the lease is still ours ``margin`` seconds from now, by our last renewal."""
        return self.clock.monotonic() + margin < self._valid_until

    def remaining(self) -> float:
        """Return how many seconds the lease is still ours, by our last renewal."""
        return max(0.0, self._valid_until - self.clock.monotonic())

    def confirm(self, conn: sa.Connection) -> bool:
        """Inside the caller's transaction, check that nobody took the lease (its row stays locked)."""
        t = self.table
        return bool(
            conn.execute(
                t.update()
                .where((t.c.name == self.name) & (t.c.holder == self.holder))
                .values(expires_at=t.c.expires_at)
            ).rowcount
        )

    def release(self) -> None:
        """Give the lease up so a standby takes it at once (a clean stop)."""
        self._valid_until = 0.0
        t = self.table
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    t.update()
                    .where((t.c.name == self.name) & (t.c.holder == self.holder))
                    .values(expires_at=0.0)
                )
        except sa.exc.DBAPIError:
            log.warning("lease %s: could not release it; it expires by itself", self.name, exc_info=True)

    def current_holder(self) -> str | None:
        """Return who holds the lease now (None when nobody does)."""
        t = self.table
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.c.holder, t.c.expires_at).where(t.c.name == self.name)).first()
            if row is None or row.expires_at < self.clock.database_time(conn):
                return None
            return str(row.holder)


class Tenure(threading.Event):
    """The event a leased loop is given: set when its tenure ends (stop, lease lost, stuck).

    Each look at it (``is_set``, ``wait``) is taken as a sign that the loop is between steps; while it
    waits in ``wait`` it is idle, not stuck. ``valid()`` says whether the loop may still act as holder:
    the tenure goes on and the lease, by this process's clock, is still its own.
    """

    def __init__(self, lease: Lease):
        super().__init__()
        self.lease = lease
        self._clock = lease.clock
        self._looked_at = self._clock.monotonic()
        self._waiting = 0

    def is_set(self) -> bool:
        """Say whether the tenure ended (and note that the loop is between steps)."""
        self._looked_at = self._clock.monotonic()
        return super().is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the tenure ends or ``timeout`` passes (the loop is idle meanwhile, not stuck)."""
        self._waiting += 1
        try:
            return self._clock.wait(self, timeout)
        finally:
            self._waiting -= 1
            self._looked_at = self._clock.monotonic()

    def valid(self, margin: float = 0.0) -> bool:
        """Say whether the loop may still act as the holder ``margin`` seconds from now."""
        return not super().is_set() and self.lease.held(margin)

    def in_step_for(self) -> float:
        """Return how long the loop has been inside one step without looking at its tenure."""
        return 0.0 if self._waiting else self._clock.monotonic() - self._looked_at


class LeasedLoop:
    """Runs a loop only while this replica holds its lease; a standby waits and takes over.

    The loop is given its Tenure, set when the process stops, the lease is lost or the loop is stuck in
    one step for longer than ``step_deadline`` (STEP_DEADLINE, or the lease time if longer), so it ends
    at its next step.
    ``state`` says what this replica is doing, for /readyz.
    """

    def __init__(
        self,
        lease: Lease,
        loop: Loop,
        on_close: Callable[[], Any] | None = None,
        step_deadline: float | None = None,
    ):
        self.lease = lease
        self.loop = loop
        self.on_close = on_close
        self.step_deadline = max(lease.timing.ttl, STEP_DEADLINE) if step_deadline is None else step_deadline
        self.state = "starting"

    @property
    def stuck(self) -> bool:
        """Say whether the loop is stuck in a step (the process is then not ready)."""
        return self.state == "stuck"

    def close(self) -> None:
        """Release what the loop holds (a sending pool), once the process stops."""
        if self.on_close is not None:
            self.on_close()

    def describe(self) -> dict[str, Any]:
        """Say which lease this is and whether this replica holds it or stands by."""
        return {"lease": self.lease.name, "state": self.state, "holder": self.lease.holder}

    def run(self, stop: threading.Event) -> None:
        """Wait for the lease, run the loop while holding it, and start again after losing it."""
        while not stop.is_set():
            if not self._try_acquire():
                self.state = "standby"
                HELD.labels(self.lease.name).set(0)
                self.lease.clock.wait(stop, self.lease.timing.retry_every)
                continue
            self.state = "active"
            HELD.labels(self.lease.name).set(1)
            log.info("lease %s taken by %s", self.lease.name, self.lease.holder)
            held = Tenure(self.lease)
            keeper = threading.Thread(
                target=self._keep, args=(stop, held), name=f"lease-{self.lease.name}", daemon=True
            )
            keeper.start()
            try:
                self.loop(held)
            finally:
                held.set()
                keeper.join()
                HELD.labels(self.lease.name).set(0)
            if stop.is_set():
                self.lease.release()
                log.info("lease %s released by %s", self.lease.name, self.lease.holder)
        self.state = "stopped"

    def _try_acquire(self) -> bool:
        """Ask for the lease; an unreachable database means not now."""
        try:
            return self.lease.acquire()
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc):
                raise
            log.warning("lease %s: database unavailable", self.lease.name)
            return False

    def _keep(self, stop: threading.Event, held: Tenure) -> None:
        """Renew the lease while the loop makes progress; end its tenure when the process stops, the lease
        is lost or the loop is stuck in a step (then the lease is released for a standby at once)."""
        clock = self.lease.clock
        next_renewal = clock.monotonic() + self.lease.timing.renew_every
        while not clock.wait(held, 0.1):  # the keeper's own waits are not the loop's progress
            if stop.is_set():
                break
            if (stalled := held.in_step_for()) > self.step_deadline:
                self.state = "stuck"
                log.error(
                    "lease %s: its loop has been inside one step for %.1f s (limit %.1f s); renewals stop "
                    "and the lease is released so a standby takes over",
                    self.lease.name,
                    stalled,
                    self.step_deadline,
                )
                self.lease.release()
                HELD.labels(self.lease.name).set(0)
                break
            if clock.monotonic() < next_renewal:
                continue
            next_renewal = clock.monotonic() + self.lease.timing.renew_every
            if not self._try_acquire() and not self.lease.held():
                log.warning("lease %s lost by %s", self.lease.name, self.lease.holder)
                self.state = "lost"
                break
        held.set()

"""Clocks: where the loops that wait or stamp time (leases, relays, watchers) read it.

Production runs on ``SYSTEM``: the machine's clocks, and for a lease's stamps the database's clock on
PostgreSQL (replicas on several machines agree on it). Tests give a ``ManualClock`` and move it with
``advance``: a lease expires, a keeper renews and a standby takes over without anyone sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import sqlalchemy as sa


class Clock(Protocol):
    """The time as a loop sees it, and its waits."""

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back (for durations and deadlines)."""
        ...

    def database_time(self, conn: sa.Connection) -> float:
        """Return seconds since the epoch as every replica sharing ``conn``'s database agrees on them."""
        ...

    def wait(self, event: threading.Event, timeout: float | None) -> bool:
        """Wait until ``event`` is set or ``timeout`` seconds pass on this clock; return whether it is set."""
        ...


class SystemClock:
    """The machine's clocks; a lease's stamps by the database's clock on PostgreSQL (SQLite is local)."""

    def monotonic(self) -> float:
        """Return the machine's monotonic clock."""
        return time.monotonic()

    def database_time(self, conn: sa.Connection) -> float:
        """Return the database server's time on PostgreSQL, this machine's otherwise."""
        if conn.dialect.name == "postgresql":
            return float(conn.execute(sa.text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())
        return time.time()

    def wait(self, event: threading.Event, timeout: float | None) -> bool:
        """Wait on the event itself (a subclass's own ``wait`` is not called)."""
        return threading.Event.wait(event, timeout)


SYSTEM = SystemClock()


class ManualClock:
    """A clock that stands still until a test moves it; every wait on it ends when it is moved past.

    ``advance`` moves it and then lets the threads whose wait it ended take their next step: it returns
    once each of them waits on the clock again or has ended (bounded by ``settle`` real seconds), so a
    test moves time step by step and sees each step's effect, without sleeping.
    """

    def __init__(self, start: float = 1_000.0):
        self._now = start
        self._changed = threading.Condition()
        self._waiting: dict[threading.Thread, float] = {}

    def monotonic(self) -> float:
        """Return the clock's reading."""
        return self._now

    def database_time(self, conn: sa.Connection) -> float:
        """Return the clock's reading, whatever the database (its own clock cannot be moved)."""
        return self._now

    def wait(self, event: threading.Event, timeout: float | None) -> bool:
        """Wait until the event is set or the clock is moved ``timeout`` past now."""
        deadline = None if timeout is None else self._now + timeout
        me = threading.current_thread()
        with self._changed:
            self._waiting[me] = float("inf") if deadline is None else deadline
            self._changed.notify_all()
            try:
                while not threading.Event.is_set(event) and (deadline is None or self._now < deadline):
                    self._changed.wait(0.005)  # a set() does not notify the clock: look again soon
            finally:
                del self._waiting[me]
                self._changed.notify_all()
        return threading.Event.is_set(event)

    def waiting(self) -> int:
        """Return how many threads wait on the clock now (a test moves it once they all do)."""
        with self._changed:
            return len(self._waiting)

    def advance(self, seconds: float, settle: float = 10.0) -> None:
        """Move the clock on, and return once every wait it ended has gone on to its next wait or ended."""
        with self._changed:
            self._now += seconds
            woken = {thread for thread, deadline in self._waiting.items() if deadline <= self._now}
            self._changed.notify_all()
            limit = time.monotonic() + settle
            while any(
                thread.is_alive() and self._waiting.get(thread, self._now) <= self._now for thread in woken
            ):
                if time.monotonic() > limit:
                    raise TimeoutError(f"threads still busy {settle} s after the clock moved on")
                self._changed.wait(0.005)

    def step(self, seconds: float, every: float) -> None:
        """Move the clock on by ``seconds`` in steps of ``every``, letting each step's waits go on."""
        moved = 0.0
        while moved + every <= seconds + 1e-9:
            self.advance(every)
            moved += every
        if seconds - moved > 1e-9:
            self.advance(seconds - moved)

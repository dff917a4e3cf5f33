"""Leases: one holder at a time, a standby takes an expired one, a released one is free at once.

Time is a ManualClock the tests move: a lease expires when the clock passes its end, not after a sleep.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from shared.clock import ManualClock
from shared.db import create_engine, is_transient
from shared.leases import Lease, LeasedLoop, LeaseTiming, lease_table

QUICK = LeaseTiming(ttl=0.6, renew_every=0.15, retry_every=0.05)


def two_replicas(
    database_url: str, timing: LeaseTiming = QUICK, clock: ManualClock | None = None
) -> tuple[Lease, Lease]:
    """Return two would-be holders of one lease over one database, on one clock the test moves."""
    metadata = sa.MetaData()
    table = lease_table(metadata)
    engine = create_engine(database_url)
    metadata.create_all(engine)
    clock = clock or ManualClock()
    return Lease(engine, table, "relay", timing, "a", clock), Lease(
        engine, table, "relay", timing, "b", clock
    )


def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Wait (in real time, bounded) for another thread to do what the clock already allows."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def moving(clock: ManualClock, condition, step: float = 0.05, limit: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    """Move the clock in steps until a condition holds; return how far it moved (fail past ``limit``)."""
    moved = 0.0
    while not condition():
        assert moved < limit, f"condition not met within {limit} s of the clock"
        clock.advance(step)
        moved += step
    return moved


def stop_all(clock: ManualClock, stops: list[threading.Event], threads: list[threading.Thread]) -> None:
    """Stop leased loops: their keepers notice at their next look (0.1 s on the clock), then they end."""
    for stop in stops:
        stop.set()
    clock.advance(0.1)
    wait_for(lambda: not any(thread.is_alive() for thread in threads))


def test_only_one_replica_holds_a_lease_until_it_expires(database_url: str) -> None:
    clock = ManualClock()
    a, b = two_replicas(database_url, clock=clock)
    assert a.acquire()
    assert not b.acquire()
    assert a.acquire(), "the holder renews"
    assert a.held() and not b.held()
    assert a.current_holder() == "a"
    clock.advance(QUICK.ttl - 0.01)
    assert a.held() and not b.acquire(), "not expired a moment before its end"
    clock.advance(0.02)
    assert not a.held()
    assert b.acquire(), "a standby takes an expired lease"
    assert b.current_holder() == "b"


def test_a_holder_whose_lease_was_taken_cannot_confirm_it(database_url: str) -> None:
    clock = ManualClock()
    a, b = two_replicas(database_url, clock=clock)
    assert a.acquire()
    with a.engine.begin() as conn:
        assert a.confirm(conn)
    clock.advance(QUICK.ttl + 0.01)
    assert b.acquire()
    with a.engine.begin() as conn:
        assert not a.confirm(conn), "the old holder learns, inside its transaction, that it lost the lease"
    assert not a.acquire()


def test_a_released_lease_is_taken_at_once(database_url: str) -> None:
    slow = LeaseTiming(ttl=60, renew_every=15, retry_every=0.05)
    a, b = two_replicas(database_url, slow)
    assert a.acquire()
    assert not b.acquire()
    a.release()
    assert b.acquire()


def test_a_leased_loop_runs_in_one_replica_and_fails_over_when_the_holder_stops(database_url: str) -> None:
    clock = ManualClock()
    a, b = two_replicas(database_url, clock=clock)
    running: list[str] = []

    def loop_of(name: str):  # type: ignore[no-untyped-def]
        def loop(tenure: threading.Event) -> None:
            running.append(name)
            tenure.wait()
            running.remove(name)

        return loop

    stops = {"a": threading.Event(), "b": threading.Event()}
    loops = {"a": LeasedLoop(a, loop_of("a")), "b": LeasedLoop(b, loop_of("b"))}
    threads = {n: threading.Thread(target=loops[n].run, args=(stops[n],), daemon=True) for n in ("a", "b")}
    threads["a"].start()
    wait_for(lambda: running == ["a"] and clock.waiting() == 2)  # its loop and its lease's keeper
    threads["b"].start()
    wait_for(lambda: loops["b"].state == "standby" and clock.waiting() == 3)
    clock.step(3 * QUICK.ttl, every=QUICK.retry_every)  # three lease times: the keeper renews meanwhile
    assert running == ["a"], "the standby never runs while the holder renews"
    assert a.current_holder() == "a"
    stops["a"].set()
    clock.advance(0.1)  # the keeper looks every 0.1 s of the clock; the holder then releases in real time
    wait_for(lambda: not threads["a"].is_alive())
    took = 0.1 + moving(clock, lambda: running == ["b"])
    assert took < QUICK.ttl, "a released lease is taken before it would have expired"
    assert loops["a"].state == "stopped" and loops["b"].state == "active"
    stop_all(clock, [stops["b"]], [threads["b"]])
    assert running == []


def test_a_holder_frozen_inside_a_transaction_does_not_keep_a_standby_out(postgres_url: str) -> None:
    """A holder stopped (SIGSTOP) while its transaction holds the lease row's lock: PostgreSQL ends that
    session once it has been idle in the transaction too long, and the standby takes the expired lease."""
    metadata = sa.MetaData()
    table = lease_table(metadata)
    frozen_engine = create_engine(postgres_url, idle_in_transaction_seconds=1.0)
    metadata.create_all(frozen_engine)
    frozen = Lease(frozen_engine, table, "relay", QUICK, "frozen")
    standby = Lease(create_engine(postgres_url, idle_in_transaction_seconds=1.0), table, "relay", QUICK, "b")
    assert frozen.acquire()
    conn = frozen_engine.connect()
    conn.begin()
    assert frozen.confirm(conn)  # the row is locked until this transaction ends: it never goes on
    taken = threading.Event()

    def ask() -> None:
        while not standby.acquire():
            time.sleep(0.05)
        taken.set()

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    assert taken.wait(15), "the standby waited for the frozen holder's lock"
    assert standby.current_holder() == "b"
    try:
        with pytest.raises(sa.exc.DBAPIError, match="idle-in-transaction") as ended:
            conn.execute(sa.text("SELECT 1"))  # the zombie, going on, finds its session ended ...
        assert is_transient(ended.value)  # ... as an outage: it retries, it does not crash
    finally:
        conn.close()
        frozen_engine.dispose()
        standby.engine.dispose()


def test_a_loop_stuck_in_a_step_stops_renewing_and_a_standby_takes_over(database_url: str) -> None:
    from shared.process import Worker

    clock = ManualClock()
    a, b = two_replicas(database_url, clock=clock)
    ran: list[str] = []
    unblock = threading.Event()

    def stuck(tenure: threading.Event) -> None:  # one step that never returns (a call without a bound)
        ran.append("a")
        unblock.wait()

    def working(tenure: threading.Event) -> None:
        ran.append("b")
        while not tenure.is_set():  # between steps it looks at its tenure: that is progress
            tenure.wait(0.05)

    stops = {"a": threading.Event(), "b": threading.Event()}
    loops = {"a": LeasedLoop(a, stuck, step_deadline=QUICK.ttl), "b": LeasedLoop(b, working)}
    worker = Worker("w", {"feed": loops["a"]}, dict)
    threads = {n: threading.Thread(target=loops[n].run, args=(stops[n],), daemon=True) for n in ("a", "b")}
    threads["a"].start()
    wait_for(lambda: ran == ["a"] and clock.waiting() == 1)  # the keeper; the loop is stuck elsewhere
    threads["b"].start()
    wait_for(lambda: loops["b"].state == "standby" and clock.waiting() == 2)
    took = moving(clock, lambda: ran == ["a", "b"])
    assert QUICK.ttl < took <= QUICK.ttl + 0.1 + 2 * QUICK.retry_every + 1e-6, "past the step deadline, soon"
    assert loops["a"].state == "stuck" and loops["a"].stuck and not worker.healthy()
    assert worker.status()["loops"]["feed"]["state"] == "stuck"
    assert a.current_holder() == "b"
    unblock.set()  # the step returns at last: the former holder stands by, ready again
    wait_for(lambda: loops["a"].state == "standby")
    assert not loops["a"].stuck
    stop_all(clock, list(stops.values()), list(threads.values()))


def test_a_loop_idle_in_its_wait_is_not_stuck(database_url: str) -> None:
    clock = ManualClock()
    a, _b = two_replicas(database_url, clock=clock)
    stop = threading.Event()
    loop = LeasedLoop(a, lambda tenure: tenure.wait(), step_deadline=0.2)
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: loop.state == "active" and clock.waiting() == 2)
    clock.step(3 * QUICK.ttl, every=0.05)  # three lease times idle, waiting: never taken for stuck
    assert loop.state == "active" and a.held()
    stop_all(clock, [stop], [thread])

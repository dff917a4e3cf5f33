"""The outbox relay publishes in order, records progress, and rides out a broker outage."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.bus import Start, make_bus
from shared.clock import ManualClock
from shared.consumer import ConsumerRunner
from shared.db import create_engine
from shared.eventstore import EventStore
from shared.leases import Lease, LeaseTiming, lease_table
from shared.relay import LeaseLost, OutboxRelay
from tests.conftest import LocalBroker
from tests.factories import CounterProjection, catalogue_for, make_ping, service_tables


def build(database_url: str, bus_url: str, topic: str):  # type: ignore[no-untyped-def]
    """Return (engine, store, relay, runner) of a test service over one database and bus."""
    metadata, events, progress, tracking, counters = service_tables()
    engine = create_engine(database_url)
    metadata.create_all(engine)
    catalogue = catalogue_for(topic)
    store = EventStore(events, catalogue, "test")
    bus = make_bus(bus_url, partitions=3)
    bus.ensure_topics([topic])
    relay = OutboxRelay("test-relay", engine, store, progress, bus, topic, batch_size=7)
    runner = ConsumerRunner(CounterProjection("counter", [topic], counters), engine, tracking, bus, catalogue)
    return engine, store, relay, runner


def append_pings(engine, store, stream: str, numbers) -> None:  # type: ignore[no-untyped-def]
    """Append one Pinged per number to a stream, each in its own transaction."""
    for number in numbers:
        with engine.begin() as conn:
            store.append(conn, stream, store.stream_version(conn, stream), [make_ping(number)])


def test_the_relay_publishes_every_event_in_stream_order_and_remembers_its_position(
    bus_url: str, database_url: str, topic: str
) -> None:
    engine, store, relay, runner = build(database_url, bus_url, topic)
    append_pings(engine, store, "a", range(1, 11))
    append_pings(engine, store, "b", range(1, 6))
    assert relay.drain() == 15
    assert relay.drain() == 0
    with engine.connect() as conn:
        assert relay.position() == store.read_after(conn, 0, 100)[-1].position
    sub = relay.bus.subscribe("order-check", [topic])
    got: list = []  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while len(got) < 15 and time.monotonic() < deadline:
        got += sub.poll(100, 0.5)
    sub.close()
    versions = {
        s: [int(dict(r.headers)["ce_streamversion"]) for r in got if r.key == s] for s in (b"a", b"b")
    }
    assert versions == {b"a": list(range(1, 11)), b"b": list(range(1, 6))}
    runner.close()
    engine.dispose()


def leased_relays(database_url: str, bus_url: str, topic: str, clock: ManualClock):  # type: ignore[no-untyped-def]
    """Return (engine, store, relay of holder a, lease of holder b) over one database, one lease of 6 s
    on a clock the test moves; the relay has fenced and caught up with its topic already."""
    engine, store, relay, _runner = build(database_url, bus_url, topic)
    assert relay.publish_batch() == 0
    leases = lease_table(sa.MetaData())
    leases.create(engine)
    timing = LeaseTiming(ttl=6.0, renew_every=1.5, retry_every=0.1)
    relay.lease = Lease(engine, leases, "test-relay", timing, "a", clock)
    relay.publish_margin = timing.ttl / 2
    return engine, store, relay, Lease(engine, leases, "test-relay", timing, "b", clock)


def test_a_holder_whose_lease_nears_its_end_renews_it_and_publishes(
    bus_url: str, database_url: str, topic: str
) -> None:
    clock = ManualClock()
    engine, store, relay, standby = leased_relays(database_url, bus_url, topic, clock)
    append_pings(engine, store, "a", range(1, 4))
    assert relay.lease.acquire()
    clock.advance(3.5)  # a slow catch-up on a busy machine: still ours, but inside the publish margin
    assert relay.publish_batch() == 3
    assert relay.lease.remaining() > relay.publish_margin, "renewed before publishing"
    assert not standby.acquire()


def test_a_holder_whose_lease_lapsed_and_was_taken_publishes_nothing(
    bus_url: str, database_url: str, topic: str
) -> None:
    clock = ManualClock()
    engine, store, relay, standby = leased_relays(database_url, bus_url, topic, clock)
    append_pings(engine, store, "a", range(1, 4))
    assert relay.lease.acquire()
    clock.advance(6.1)  # the lease lapses
    assert not relay.lease.held()
    assert standby.acquire()
    with pytest.raises(LeaseLost):
        relay.publish_batch()
    assert relay.position() == 0
    assert relay.bus.read([topic], Start(), 100) == []


def test_a_former_holder_waking_with_a_lapsed_lease_makes_no_producer_before_it_knows(
    bus_url: str, database_url: str, topic: str
) -> None:
    engine, store, relay, standby = leased_relays(database_url, bus_url, topic, ManualClock())
    relay.close()
    relay._caught_up = False  # as after a pause or a failed publish: it would fence first
    append_pings(engine, store, "a", range(1, 3))
    assert standby.acquire()  # the lease went to another replica while this one slept
    with pytest.raises(LeaseLost):
        relay.publish_batch()
    assert relay._publisher is None, "no transactional producer made: the holder's batch is not aborted"


@pytest.mark.kafka
def test_the_relay_survives_a_broker_stop_and_start_with_nothing_lost_or_duplicated(
    own_broker: LocalBroker, tmp_path: Path, topic: str
) -> None:
    engine, store, relay, runner = build(
        f"sqlite:///{tmp_path / 'svc.sqlite'}", f"kafka://127.0.0.1:{own_broker.port}", topic
    )
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle_wait": 0.05, "max_backoff": 1.0})
    thread.start()
    try:
        append_pings(engine, store, "s-1", range(1, 21))
        wait_for(lambda: relay.stats.published >= 20, "the first 20 events to be relayed")
        own_broker.stop()
        append_pings(engine, store, "s-1", range(21, 41))
        append_pings(engine, store, "s-2", range(1, 11))
        wait_for(lambda: relay.stats.failures >= 1, "the relay to notice the outage")
        own_broker.start()
        with engine.connect() as conn:
            last = store.read_after(conn, 0, 1000)[-1].position
        wait_for(lambda: relay.position() == last, "the relay to catch up after the outage", timeout=120)
    finally:
        stop.set()
        thread.join(timeout=60)
    runner.run_until_caught_up(timeout=60)
    table = CounterProjection("counter", [], runner.projection.counters).table(engine)  # type: ignore[attr-defined]
    assert table == {"s-1": (sum(range(1, 41)), 40), "s-2": (sum(range(1, 11)), 10)}
    published = relay.bus.read([topic], Start(), 10_000)
    for stream, count in ((b"s-1", 40), (b"s-2", 10)):
        versions = [int(dict(r.headers)["ce_streamversion"]) for r in published if r.key == stream]
        first_seen = list(dict.fromkeys(versions))  # a batch may be published twice, never out of order
        assert first_seen == list(range(1, count + 1))
    runner.close()
    relay.bus.close()
    engine.dispose()


def wait_for(condition, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition until it holds or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)

"""The event store on SQLite and PostgreSQL: append, optimistic concurrency, nothing half-written."""

from __future__ import annotations

import threading

import pytest

from shared.catalogue import InvalidEventData
from shared.db import create_engine
from shared.eventstore import ConcurrencyError, Context, EventStore, NewEvent
from tests.factories import catalogue_for, make_ping, service_tables


@pytest.fixture
def store_and_engine(database_url: str):  # type: ignore[no-untyped-def]
    metadata, events, *_ = service_tables()
    engine = create_engine(database_url)
    metadata.create_all(engine)
    yield EventStore(events, catalogue_for("t"), "test"), engine
    engine.dispose()


def test_appended_events_are_read_back_in_order_with_their_context(store_and_engine) -> None:  # type: ignore[no-untyped-def]
    store, engine = store_and_engine
    with engine.begin() as conn:
        store.append(conn, "s-1", 0, [make_ping(1), make_ping(2)], Context(actor="a", correlation_id="c"))
    with engine.connect() as conn:
        loaded = store.load(conn, "s-1")
    assert [e.envelope.data["number"] for e in loaded] == [1, 2]
    assert [e.envelope.stream_version for e in loaded] == [1, 2]
    assert loaded[0].envelope.actor == "a"
    assert loaded[0].envelope.correlation_id == "c"
    assert loaded[0].position < loaded[1].position


def test_a_stale_expected_version_is_a_concurrency_error(store_and_engine) -> None:  # type: ignore[no-untyped-def]
    store, engine = store_and_engine
    with engine.begin() as conn:
        store.append(conn, "s-1", 0, [make_ping(1)])
    with pytest.raises(ConcurrencyError) as caught, engine.begin() as conn:
        store.append(conn, "s-1", 0, [make_ping(2)])
    assert (caught.value.expected, caught.value.actual) == (0, 1)
    with engine.connect() as conn:
        assert len(store.load(conn, "s-1")) == 1


def test_invalid_data_stores_nothing(store_and_engine) -> None:  # type: ignore[no-untyped-def]
    store, engine = store_and_engine
    with pytest.raises(InvalidEventData), engine.begin() as conn:
        store.append(conn, "s-1", 0, [make_ping(1), NewEvent("Pinged", {"number": "x"})])
    with engine.connect() as conn:
        assert store.load(conn, "s-1") == []


def test_two_concurrent_writers_to_one_stream_exactly_one_wins(store_and_engine) -> None:  # type: ignore[no-untyped-def]
    store, engine = store_and_engine
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(number: int) -> None:
        barrier.wait()
        try:
            with engine.begin() as conn:
                store.append(conn, "s-race", 0, [make_ping(number)])
            outcomes.append("won")
        except ConcurrencyError:
            outcomes.append("lost")

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["lost", "won"]
    with engine.connect() as conn:
        assert len(store.load(conn, "s-race")) == 1


def test_read_after_returns_events_of_all_streams_in_position_order(store_and_engine) -> None:  # type: ignore[no-untyped-def]
    store, engine = store_and_engine
    with engine.begin() as conn:
        store.append(conn, "a", 0, [make_ping(1)])
        store.append(conn, "b", 0, [make_ping(2)])
        store.append(conn, "a", 1, [make_ping(3)])
    with engine.connect() as conn:
        first = store.read_after(conn, 0, 2)
        rest = store.read_after(conn, first[-1].position, 10)
    assert [e.envelope.data["number"] for e in first + rest] == [1, 2, 3]

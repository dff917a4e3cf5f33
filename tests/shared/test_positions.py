"""A consumer's position per partition, written with each batch's effects: what a relay published is
applied once by position alone (no row an event), and a copy on purpose is checked by its event id."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from shared import operator
from shared.bus import OutgoingRecord, Record
from shared.consumer import Consumed, ConsumerRunner
from shared.db import POSITIONS, advance_positions, create_engine, hold_positions, tracking_table
from shared.relay import POSITION_HEADER
from tests.factories import catalogue_for, make_envelope
from tests.shared.conftest import World

AT = datetime(2023, 12, 15, 8, 30, tzinfo=UTC)


def relayed(world: World, *numbers: int, stream: str = "s-1") -> None:
    """Publish events as a relay does: each record with its store position."""
    records = []
    for position, number in enumerate(numbers, start=1):
        key, headers, value = make_envelope(stream, number=number).to_record()
        records.append(
            OutgoingRecord(world.topic, key, [*headers, (POSITION_HEADER, str(position).encode())], value)
        )
    world.bus.publish(records)


def poll(runner: ConsumerRunner, count: int) -> list[Record]:
    """Poll until ``count`` records are in hand (bounded)."""
    records: list[Record] = []
    deadline = time.monotonic() + 30
    while len(records) < count and time.monotonic() < deadline:
        records += runner.subscription.poll(100, 0.5)
    return records


def stored(world: World, table: str, consumer: str) -> list[Any]:
    """Return a consumer's rows of a tracking table."""
    found = world.tracking.metadata.tables[table]
    with world.engine.connect() as conn:
        return list(conn.execute(sa.select(found).where(found.c.consumer == consumer)))


def test_a_relay_s_batch_delivered_again_is_passed_over_by_position_and_leaves_no_row_an_event(
    world: World,
) -> None:
    relayed(world, 1, 2, 3, 4, 5)
    crashed = world.runner()
    records = poll(crashed, 5)
    crashed.handle(records)  # the database transaction commits ...
    crashed.close()  # ... and the process dies before committing offsets
    restarted = world.runner()
    restarted.handle(records)  # delivered again (as to a member that fetched them before that commit)
    assert world.table() == {"s-1": (15, 5)} and restarted.stats.duplicates == 5
    restarted.run_until_caught_up()
    relayed(world, 6, 7)
    restarted.run_until_caught_up()
    assert world.table() == {"s-1": (28, 7)}
    assert stored(world, "processed_events", "counter") == [], "no row an event"
    ends = world.bus.topic_ends([world.topic])
    assert {(r.topic, r.partition): r.next_offset for r in stored(world, POSITIONS, "counter")} == {
        tp: end for tp, end in ends.items() if end
    }


def test_a_consumer_upgraded_from_tracking_rows_applies_nothing_they_hold_again(world: World) -> None:
    events = [make_envelope("s-1", number=n) for n in (1, 2, 3)]
    records = []
    for position, event in enumerate(events, start=1):
        key, headers, value = event.to_record()
        records.append(
            OutgoingRecord(world.topic, key, [*headers, (POSITION_HEADER, str(position).encode())], value)
        )
    world.bus.publish(records)
    with (
        world.engine.begin() as conn
    ):  # what a runner of tracking rows alone had applied, uncommitted on the bus
        conn.execute(world.counters.insert().values(stream_id="s-1", total=3, applied=2))
        rows = [{"consumer": "counter", "event_id": e.id, "processed_at": AT} for e in events[:2]]
        conn.execute(world.tracking.insert(), rows)
    runner = world.runner()
    runner.run_until_caught_up()
    assert world.table() == {"s-1": (6, 3)} and runner.stats.duplicates == 2


class Seen:
    """A projection that notes the numbers it applied; it fails on one number ``failures`` times."""

    def __init__(self, name: str, topic: str, fail_on: int | None = None, failures: int = 0):
        self.name, self.topics, self.applied = name, [topic], []
        self.fail_on, self.failures = fail_on, failures

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        number = consumed.data["number"]
        if number == self.fail_on and self.failures > 0:
            self.failures -= 1
            raise ValueError("a bug, fixed before the re-drive")
        self.applied.append(number)

    def reset(self, conn: sa.Connection) -> None:
        self.applied.clear()


def seen(world: World, projection: Seen) -> ConsumerRunner:
    """Return a runner of a noting projection on the world's topic."""
    runner = ConsumerRunner(
        projection, world.engine, world.tracking, world.bus, catalogue_for(world.topic), backoff=0.01
    )
    world.runners.append(runner)
    return runner


def test_a_redriven_copy_is_applied_by_the_consumer_that_dead_lettered_it_alone(
    world: World,
) -> None:
    relayed(world, 1, 2)
    failing = Seen("failing", world.topic, fail_on=1, failures=4)  # the batch, then each of 3 attempts
    watcher = Seen("watcher", world.topic)
    for runner in (seen(world, failing), seen(world, watcher)):
        runner.run_until_caught_up()
    assert (failing.applied, watcher.applied) == ([2], [1, 2])
    [letter] = operator.dead_letters(world.bus, world.topic)
    operator.redrive(world.bus, letter.topic, letter.partition, letter.offset, "operator")
    for runner in world.runners:
        runner.run_until_caught_up()
    assert failing.applied == [2, 1], "the consumer that dead-lettered it applies the copy"
    assert watcher.applied == [1, 2], "the others applied the original and pass the copy over"


def test_a_replica_holding_the_same_partition_waits_and_reads_what_the_first_committed(
    postgres_url: str,
) -> None:
    metadata = sa.MetaData()
    tracking_table(metadata)
    positions = metadata.tables[POSITIONS]
    engine = create_engine(postgres_url)
    metadata.create_all(engine)
    first = engine.connect()
    first.begin()
    assert hold_positions(first, positions, "scoring", [("t", 0)], AT) == {("t", 0): 0}
    second: dict[str, dict[tuple[str, int], int]] = {}

    def other_replica() -> None:
        with engine.begin() as conn:
            second["held"] = hold_positions(conn, positions, "scoring", [("t", 1), ("t", 0)], AT)

    replica = threading.Thread(target=other_replica)
    replica.start()
    replica.join(1.0)
    assert replica.is_alive(), "the second replica waits on the first one's position"
    advance_positions(first, positions, "scoring", {("t", 0): 42}, AT)
    first.commit()
    first.close()
    replica.join(10.0)
    assert second["held"] == {("t", 0): 42, ("t", 1): 0}


@pytest.mark.parametrize("moved", [{("t", 0): 7}, {}])
def test_a_position_moves_only_with_its_transaction(
    database_url: str, moved: dict[tuple[str, int], int]
) -> None:
    metadata = sa.MetaData()
    tracking_table(metadata)
    positions = metadata.tables[POSITIONS]
    engine = create_engine(database_url)
    metadata.create_all(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        hold_positions(conn, positions, "c", [("t", 0)], AT)
        advance_positions(conn, positions, "c", {("t", 0): 99}, AT)
        raise RuntimeError("the apply failed")
    with engine.begin() as conn:
        assert hold_positions(conn, positions, "c", [("t", 0)], AT) == {("t", 0): 0}
        advance_positions(conn, positions, "c", moved, AT)
    with engine.begin() as conn:
        assert hold_positions(conn, positions, "c", [("t", 0)], AT) == {("t", 0): moved.get(("t", 0), 0)}


def test_a_consumer_goes_on_from_its_own_positions_not_the_group_s_offsets(world: World) -> None:
    relayed(world, 1, 2, 3, 4, 5)
    crashed = world.runner()
    crashed.handle(poll(crashed, 5))  # applied and positioned in the database ...
    crashed.close()  # ... and gone before the group's offsets were committed
    relayed(world, 6)
    restarted = world.runner()
    restarted.run_until_caught_up()
    assert world.table() == {"s-1": (21, 6)}
    assert restarted.stats.duplicates == 0, "it seeks to its positions: nothing applied is read again"

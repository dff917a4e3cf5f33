"""A rebuild is a bulk load: the read model's secondary indexes are dropped while it replays and built at
its end, failed or not; a consumer that starts after a rebuild was killed builds what is missing."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from shared.consumer import Consumed, ConsumerRunner
from shared.db import indexes_after, restore_indexes, secondary_indexes
from tests.factories import CounterProjection, catalogue_for, make_envelope
from tests.shared.conftest import World


def notes(world: World) -> sa.Table:
    """Create a read-model table beside the counters, with a unique rule and an index for reading."""
    metadata = sa.MetaData()
    table = sa.Table(
        "notes",
        metadata,
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("stream_id", sa.String(64), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False, unique=True),
    )
    metadata.create_all(world.engine)
    return table


def indexes_of(world: World, table: sa.Table) -> set[str]:
    """Return the names of the table's indexes that are in the database now."""
    with world.engine.connect() as conn:
        return {index["name"] for index in sa.inspect(conn).get_indexes(table.name) if index["name"]}


class NotesProjection(CounterProjection):
    """Counts, and keeps a note of each event; it sees which indexes exist while it applies."""

    def __init__(self, world: World, table: sa.Table):
        super().__init__("notes", [world.topic], world.counters)
        self.table = table
        self.bulk_tables = (table,)
        self.seen: list[set[str]] = []
        self.world = world

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        super().apply(conn, consumed)
        conn.execute(
            self.table.insert().values(
                event_id=consumed.event.id,
                stream_id=consumed.event.stream_id,
                number=consumed.data["number"],
            )
        )
        self.seen.append({index["name"] for index in sa.inspect(conn).get_indexes(self.table.name)})

    def reset(self, conn: sa.Connection) -> None:
        super().reset(conn)
        conn.execute(self.table.delete())


def runner_of(world: World, projection: NotesProjection) -> ConsumerRunner:
    runner = ConsumerRunner(projection, world.engine, world.tracking, world.bus, catalogue_for(world.topic))
    world.runners.append(runner)
    return runner


def test_a_rebuild_replays_without_the_read_indexes_and_builds_them_at_its_end(world: World) -> None:
    table = notes(world)
    [index] = secondary_indexes([table])
    assert not index.unique, "the unique rule is a constraint, never dropped"
    world.publish(*(make_envelope(f"s-{n % 3}", number=n) for n in range(1, 21)))
    projection = NotesProjection(world, table)
    runner = runner_of(world, projection)
    runner.run_until_caught_up()
    live = world.table()
    assert all(index.name in seen for seen in projection.seen), "live consumption keeps the index"
    projection.seen.clear()
    runner.rebuild()
    assert world.table() == live
    assert len(projection.seen) == 20 and not any(index.name in seen for seen in projection.seen)
    assert index.name in indexes_of(world, table)


def test_the_indexes_come_back_when_a_load_fails_and_when_a_consumer_starts(world: World) -> None:
    table = notes(world)
    [index] = secondary_indexes([table])
    with pytest.raises(RuntimeError), indexes_after(world.engine, [table]):
        assert index.name not in indexes_of(world, table)
        raise RuntimeError("the replay failed")
    assert index.name in indexes_of(world, table)
    with world.engine.begin() as conn:  # as a rebuild killed during its replay leaves it
        index.drop(conn)
    runner = runner_of(world, NotesProjection(world, table))
    stop = threading.Event()
    stop.set()  # the loop starts, builds what is missing, and ends at once
    runner.run(stop)
    assert index.name in indexes_of(world, table)


def test_replicas_starting_together_build_a_missing_index_once_without_tripping(world: World) -> None:
    table = notes(world)
    [index] = secondary_indexes([table])
    failures: list[BaseException] = []

    def start() -> None:
        try:
            restore_indexes(world.engine, [table])
        except BaseException as exc:  # the test reports whatever a replica hit
            failures.append(exc)

    for _round in range(5):  # PostgreSQL's catalogue race shows in some rounds, not every one
        with world.engine.begin() as conn:
            index.drop(conn)
        replicas = [threading.Thread(target=start) for _ in range(6)]
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.join(30)
        assert failures == [] and index.name in indexes_of(world, table)

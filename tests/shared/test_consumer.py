"""The consumer runner applies each event once in effect, dead-letters poison and rebuilds identically."""

from __future__ import annotations

import threading
import time

from shared.bus import Bus, BusUnavailable, OutgoingRecord, Start, make_bus
from shared.db import create_engine
from shared.deadletter import dlq_topic
from tests.factories import make_envelope, service_tables
from tests.shared.conftest import World


def dead_letters(bus: Bus, topic: str, expected: int) -> list:  # type: ignore[type-arg]
    """Read the DLQ of a topic until ``expected`` records arrived."""
    sub = bus.subscribe("dlq-reader", [dlq_topic(topic)])
    got: list = []  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while len(got) < expected and time.monotonic() < deadline:
        got += sub.poll(100, 0.5)
    sub.close()
    return got


def test_the_same_event_delivered_twice_changes_the_read_model_once(world: World) -> None:
    event = make_envelope("s-1", number=5)
    world.publish(event, make_envelope("s-1", number=2), event)
    runner = world.runner()
    runner.run_until_caught_up()
    world.publish(event)  # and once more in a later batch
    runner.run_until_caught_up()
    assert world.table() == {"s-1": (7, 2)}
    assert runner.stats.duplicates == 2


def test_a_crash_after_the_database_commit_but_before_the_offset_commit_applies_nothing_twice(
    world: World,
) -> None:
    world.publish(*(make_envelope("s-1", number=n) for n in range(1, 6)))
    crashed = world.runner()
    records: list = []  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while len(records) < 5 and time.monotonic() < deadline:
        records += crashed.subscription.poll(100, 0.5)
    crashed.handle(records)  # the database transaction commits ...
    crashed.close()  # ... and the process dies before committing offsets
    restarted = world.runner()
    restarted.handle(records)  # delivered again (a member that fetched them before the positions moved)
    restarted.run_until_caught_up()  # and from the positions on: nothing of them is fetched again
    assert world.table() == {"s-1": (15, 5)}
    assert restarted.stats.duplicates == 5


def test_a_poison_message_goes_to_the_dlq_and_the_messages_after_it_are_processed(world: World) -> None:
    garbage = OutgoingRecord(world.topic, b"s-1", [("ce_specversion", b"1.0")], b"not json")
    world.publish(make_envelope("s-1", number=1))
    world.bus.publish([garbage])
    world.publish(
        make_envelope("s-1", number=2, data={"number": 2, "note": "poison"}),
        make_envelope("s-1", number=3, data={"number": "three"}),
        make_envelope("s-1", number=4),
    )
    runner = world.runner()
    runner.run_until_caught_up()
    assert world.table() == {"s-1": (5, 2)}
    letters = dead_letters(world.bus, world.topic, 3)
    assert len(letters) == 3
    errors = sorted(letter.header("dlq_error").decode().split(":")[0] for letter in letters)
    assert errors == ["EnvelopeError", "InvalidEventData", "ValueError"]
    originals = [r for r in world.bus.read([world.topic], Start(), 100) if r.key == b"s-1"]
    poison = {(r.partition, r.offset) for r in originals[1:4]}  # garbage, poison note, bad number
    for letter in letters:
        assert letter.header("dlq_consumer") == b"counter"
        assert letter.header("dlq_topic") == world.topic.encode()
    assert {
        (int(letter.header("dlq_partition")), int(letter.header("dlq_offset"))) for letter in letters
    } == poison


def test_a_transient_database_error_is_retried_and_not_dead_lettered(world: World) -> None:
    world.publish(make_envelope("s-1", number=1), make_envelope("s-1", number=2))
    runner = world.runner(fail_times=3)
    runner.run_until_caught_up()
    assert world.table() == {"s-1": (3, 2)}
    assert runner.stats.dead_lettered == 0


def test_a_rebuild_gives_the_same_read_model_as_live_consumption(world: World) -> None:
    world.publish(*(make_envelope(f"s-{n % 3}", number=n) for n in range(1, 31)))
    runner = world.runner()
    runner.run_until_caught_up()
    live = world.table()
    runner.rebuild()
    assert world.table() == live
    assert sum(applied for _total, applied in live.values()) == 30


def test_an_older_schema_version_is_upcast_before_it_is_applied(world: World) -> None:
    world.publish(make_envelope("s-old", number=1, schema_version=1, data={"n": 9}))
    world.runner().run_until_caught_up()
    assert world.table() == {"s-old": (9, 1)}


class DlqOutage:
    """An embedded bus whose first dead-letter publish fails, as if the broker went away mid-batch."""

    def __init__(self, bus: Bus):
        self.bus = bus
        self.failed = False

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.bus, name)

    def publish(self, records) -> None:  # type: ignore[no-untyped-def]
        if not self.failed and records[0].topic.endswith(".dlq"):
            self.failed = True
            raise BusUnavailable("broker went away")
        self.bus.publish(records)


def test_a_bus_outage_mid_batch_resumes_from_committed_offsets_without_loss(tmp_path, topic: str) -> None:  # type: ignore[no-untyped-def]
    metadata, _events, _progress, tracking, counters = service_tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'model.sqlite'}")
    metadata.create_all(engine)
    bus = DlqOutage(make_bus(f"file:{tmp_path / 'log.sqlite'}"))
    bus.ensure_topics([topic])
    world = World(bus, engine, tracking, counters, topic)  # type: ignore[arg-type]
    world.publish(
        make_envelope("s-1", number=1),
        make_envelope("s-1", number=2, data={"number": 2, "note": "poison"}),
        make_envelope("s-1", number=4),
    )
    runner = world.runner()
    runner.max_backoff = 0.05
    assert runner.step() == 0  # the dead letter could not be sent: nothing committed
    runner.run_until_caught_up()
    assert bus.failed
    assert world.table() == {"s-1": (5, 2)}
    assert len(dead_letters(bus.bus, topic, 1)) == 1
    world.close()


def test_a_stop_while_an_event_waits_out_an_outage_ends_at_once_and_commits_nothing(world: World) -> None:
    world.publish(make_envelope("s-1", number=1), make_envelope("s-1", number=2))
    runner = world.runner(fail_times=10**6)  # the database stays unreachable
    runner.max_backoff = 30.0  # a retry would otherwise wait long
    stop = threading.Event()
    consuming = threading.Thread(target=runner.run, args=(stop,))
    consuming.start()
    time.sleep(1.0)
    stopped = time.monotonic()
    stop.set()
    consuming.join(10)
    assert not consuming.is_alive() and time.monotonic() - stopped < 2, "the stop does not wait on retries"
    assert runner.stats.dead_lettered == 0, "an outage is never a dead letter"
    runner.close()
    again = world.runner()
    again.run_until_caught_up()
    assert world.table() == {"s-1": (3, 2)}, "the batch left uncommitted is read again, applied once"

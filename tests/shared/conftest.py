"""Fixtures of the shared tests: a broker of a test's own, which it may stop and start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.bus import Bus, OutgoingRecord, make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine
from tests.conftest import IN_CI, LocalBroker
from tests.factories import CounterProjection, catalogue_for, service_tables
from tests.ports import quiet_port


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own, which it may stop and start (on free ports: tests run side by side)."""
    broker = LocalBroker(port=quiet_port(2), home=tmp_path / "kafka")
    try:
        broker.start()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"cannot start a dedicated broker: {exc}")
        pytest.skip(f"cannot start a dedicated broker: {exc}")
    yield broker
    broker.stop()


@pytest.fixture
def world(bus_url: str, database_url: str, topic: str):  # type: ignore[no-untyped-def]
    """A bus with a topic, a read-model database and a counter projection fed by a runner."""
    metadata, _events, _progress, tracking, counters = service_tables()
    engine = create_engine(database_url)
    metadata.create_all(engine)
    bus = make_bus(bus_url, partitions=2)
    bus.ensure_topics([topic])
    world = World(bus, engine, tracking, counters, topic)
    yield world
    world.close()


class World:
    """What a consumer test works with."""

    def __init__(self, bus: Bus, engine: sa.Engine, tracking: sa.Table, counters: sa.Table, topic: str):
        self.bus, self.engine, self.tracking, self.counters, self.topic = (
            bus,
            engine,
            tracking,
            counters,
            topic,
        )
        self.runners: list[ConsumerRunner] = []

    def runner(self, fail_times: int = 0) -> ConsumerRunner:
        projection = CounterProjection("counter", [self.topic], self.counters, fail_times)
        runner = ConsumerRunner(
            projection, self.engine, self.tracking, self.bus, catalogue_for(self.topic), backoff=0.01
        )
        self.runners.append(runner)
        return runner

    def publish(self, *envelopes) -> None:  # type: ignore[no-untyped-def]
        self.bus.publish([OutgoingRecord(self.topic, *e.to_record()) for e in envelopes])

    def table(self) -> dict[str, tuple[int, int]]:
        return CounterProjection("counter", [], self.counters).table(self.engine)

    def close(self) -> None:
        for runner in self.runners:
            runner.close()
        self.bus.close()
        self.engine.dispose()

"""The registry's events round-trip through real Kafka to a consumer that reads them with the catalogue."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services.registry.bootstrap import bootstrap, migrate
from services.registry.contracts import CATALOGUE, TOPIC
from services.registry.seed.command import seed
from services.registry.tables import events
from shared.consumer import Consumed, ConsumerRunner
from shared.db import create_engine, tracking_table
from tests.factories import service_settings

pytestmark = pytest.mark.kafka


class TypeCounter:
    """A consumer that counts the registry's events by type and keeps the data of one stream."""

    topics = (TOPIC,)

    def __init__(self, name: str):
        self.name = name
        self.counts: Counter[str] = Counter()
        self.merged: list[dict[str, Any]] = []
        self.ids: set[str] = set()

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        self.counts[consumed.event.type] += 1
        self.ids.add(consumed.event.id)
        if consumed.event.type == "SchoolsMerged":
            self.merged.append(consumed.data)

    def reset(self, conn: sa.Connection) -> None:
        self.counts.clear()


def test_the_seeded_events_reach_a_kafka_consumer_intact(kafka_url: str, tmp_path: Path) -> None:
    settings = service_settings("registry", tmp_path, bus_url=kafka_url)
    migrate(settings)
    registry = bootstrap(settings)
    seed(registry)
    relay = registry.relay(TOPIC)
    relay.drain()
    with registry.engine.connect() as conn:
        stored = Counter(conn.execute(sa.select(events.c.type)).scalars())
        run_ids = set(conn.execute(sa.select(events.c.event_id)).scalars())

    metadata = sa.MetaData()
    tracking = tracking_table(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'consumer.sqlite'}")
    metadata.create_all(engine)
    counter = TypeCounter(f"registry-check-{tmp_path.name}")
    runner = ConsumerRunner(counter, engine, tracking, registry.bus, CATALOGUE)
    runner.run_until_caught_up(timeout=120)
    runner.close()
    received = counter.ids
    registry.close()

    assert run_ids == received  # every event arrived, and nothing else (the namespace is this test's own)
    assert runner.stats.dead_lettered == 0
    assert counter.counts == stored
    hoa_binh = next(m for m in counter.merged if "sch_hoabinh" in m["predecessor_ids"])
    assert hoa_binh["effective_date"] == date(2025, 7, 1)  # the catalogue loads typed values

"""A read model fed by several streams is the same whatever order its partitions are read in.

Kafka keeps each partition's order and nothing across partitions: a rebuild, a recovery or a fresh
deployment may read a school's merger before its registration. Each read model here is rebuilt from the
seeded registry (68 schools, 8 clusters, the 2023 campaign, the 2025 mergers) in adversarial orders
that keep every partition's own order, and compared with the model built in the order recorded.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services.registry.bootstrap import bootstrap, migrate
from services.registry.seed.command import seed
from services.scoring import tables as scoring_tables
from services.scoring.projections.facts import FACTS
from services.submissions import tables as submissions_tables
from services.submissions.projections.registry_view import VIEW
from shared.envelope import Envelope
from shared.handlers import Handlers
from tests.factories import service_settings

PARTITIONS = 3


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[Envelope]:
    """Return the seeded registry's events in the order the registry recorded them."""
    settings = service_settings("registry", tmp_path_factory.mktemp("registry"))
    migrate(settings)
    registry = bootstrap(settings)
    seed(registry)
    with registry.engine.connect() as conn:
        stored = registry.store.read_after(conn, 0, 100_000)
    registry.close()
    assert any(s.envelope.type == "SchoolsMerged" for s in stored)
    return [s.envelope for s in stored]


def partitions(events: Sequence[Envelope]) -> list[list[Envelope]]:
    """Split events by their stream, as the relay keys them, each partition in its recorded order."""
    split: list[list[Envelope]] = [[] for _ in range(PARTITIONS)]
    for event in events:
        split[zlib.crc32(event.stream_id.encode()) % PARTITIONS].append(event)
    return split


def orders(events: Sequence[Envelope]) -> Iterator[tuple[str, list[Envelope]]]:
    """Yield interleavings that keep each partition's order: one partition after another, both ways
    round, and one event of each in turn."""
    split = partitions(events)
    yield "partitions in turn", [e for p in split for e in p]
    yield "partitions in turn, backwards", [e for p in reversed(split) for e in p]
    turns, longest = [], max(len(p) for p in split)
    for i in range(longest):
        turns += [p[i] for p in reversed(split) if i < len(p)]
    yield "one of each in turn", turns


def built(tables: Sequence[sa.Table], handlers: Handlers[Any], events: Sequence[Envelope]) -> dict[str, Any]:
    """Apply events to empty tables with a read model's handlers; return every row of each table."""
    engine = sa.create_engine("sqlite://")
    tables[0].metadata.create_all(engine, tables=list(tables))
    with engine.begin() as conn:
        for event in events:
            handlers.apply(conn, event, dict(event.data))
        return {t.name: sorted(map(repr, conn.execute(sa.select(t)).all())) for t in tables}


READ_MODELS: dict[str, tuple[Callable[[], Sequence[sa.Table]], Handlers[Any]]] = {
    "submissions' registry view": (
        lambda: (
            submissions_tables.schools,
            submissions_tables.clusters,
            submissions_tables.members,
            submissions_tables.campaigns,
        ),
        VIEW,
    ),
    "scoring's facts": (
        lambda: (scoring_tables.schools, scoring_tables.members, scoring_tables.campaigns),
        FACTS,
    ),
}


@pytest.mark.parametrize("model", sorted(READ_MODELS))
def test_a_read_model_is_the_same_whatever_order_its_partitions_are_read_in(
    model: str, recorded: list[Envelope], tmp_path: Path
) -> None:
    tables, handlers = READ_MODELS[model]
    live = built(tables(), handlers, recorded)
    assert all(live.values()), "every table holds something"
    for name, order in orders(recorded):
        assert sorted(e.id for e in order) == sorted(e.id for e in recorded)
        assert built(tables(), handlers, order) == live, f"{model}: read {name}"

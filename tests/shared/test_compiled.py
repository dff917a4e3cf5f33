"""The compiled readers accept exactly what the schemas accept, with the same data: a differential test.

Every event of a played 2023 year (the scoring scenario's: the registry's seed, every filing, every
result scoring computed) is read by each catalogue that declares its type, with the compiled reader and
with ``Schema.load``. Then a corpus of bad variants of each (every field dropped, made null, or given a
value of each other JSON type; an unknown field; the same inside the first item of each list) goes
through both. The compiled reader must give the schema's data whenever it answers, and fall back
otherwise; ``EventType.read`` must answer as the schema does, errors included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
import sqlalchemy as sa

from services.notifications import contracts as notifications
from services.registry import contracts as registry
from services.scoring import contracts as scoring
from services.submissions import contracts as submissions
from shared.catalogue import EventType, InvalidEventData
from shared.compiled import Fallback, compile_schema
from tests.scoring.conftest import Scene, build_scene
from tests.scoring.test_scenario_2023 import play_the_year

CATALOGUES = (
    registry.CATALOGUE,
    registry.CONSUMED,
    submissions.CATALOGUE,
    submissions.REGISTRY_EVENTS,
    submissions.INBOUND_EVENTS,
    scoring.CATALOGUE,
    scoring.CONSUMED,
    notifications.CONSUMED,
)
BAD_VALUES: tuple[Any, ...] = (
    None,
    "",
    "x",
    "2023-13-45",
    0,
    -1,
    10**30,
    1.5,
    float("nan"),
    True,
    [],
    {},
    [1],
)


def readers_of(event_type: str) -> list[EventType]:
    """Return every catalogue's declaration of a type (publishers' and consumers')."""
    return [catalogue[event_type] for catalogue in CATALOGUES if event_type in catalogue]


def by_schema(declared: EventType, data: Any) -> tuple[str, Any]:
    """Return what Schema.load makes of the data: ("ok", data) or ("invalid", messages)."""
    try:
        return "ok", dict(declared._tolerant.load(data))
    except ma.ValidationError as exc:
        return "invalid", exc.messages


def by_read(declared: EventType, data: Any) -> tuple[str, Any]:
    """Return what EventType.read (compiled first) makes of the data."""
    try:
        return "ok", declared.read(declared.version, data)
    except InvalidEventData as exc:
        return "invalid", exc.messages


def variants(data: Any) -> Iterator[Any]:
    """Yield bad variants of an event's data: each field dropped, nulled, retyped; an unknown field."""
    if not isinstance(data, dict):
        return
    yield {**data, "not_in_any_schema": 1}
    for key, value in data.items():
        yield {k: v for k, v in data.items() if k != key}
        for bad in BAD_VALUES:
            yield {**data, key: bad}
        if isinstance(value, list) and value:
            for inner in variants(value[0]):
                yield {**data, key: [inner, *value[1:]]}
        if isinstance(value, dict):
            for inner in variants(value):
                yield {**data, key: inner}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int, dict[str, Any]]]:
    """Return (type, schema version, data) of every event the played year recorded in the three stores."""
    tmp = tmp_path_factory.mktemp("year")
    scene: Scene = build_scene(tmp, f"sqlite:///{tmp / 'scoring.sqlite'}", f"file:{tmp / 'eventlog.sqlite'}")
    try:
        play_the_year(scene)
        scene.sync()
        recorded = []
        for engine in (scene.world.registry.engine, scene.world.service.engine, scene.scoring.engine):
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT type, schema_version, data FROM events ORDER BY position")
                )
                recorded += [(t, v, d if isinstance(d, dict) else json.loads(d)) for t, v, d in rows]
        return recorded
    finally:
        scene.scoring.close()
        scene.world.service.close()
        scene.world.registry.close()


def test_every_declared_schema_compiles() -> None:
    declared = [t for catalogue in CATALOGUES for t in catalogue]
    assert declared and all(compile_schema(t._tolerant) is not None for t in declared)


def test_every_event_of_a_played_year_reads_the_same_and_takes_the_fast_path(
    year: list[tuple[str, int, dict[str, Any]]],
) -> None:
    read, types = 0, set()
    for event_type, version, data in year:
        for declared in readers_of(event_type):
            current = declared._upcast(version, data)
            compiled = declared._compiled
            assert compiled is not None
            fast = compiled(current)  # no Fallback: a valid event never leaves the fast path
            assert ("ok", fast) == by_schema(declared, current), (event_type, data)
            read, types = read + 1, types | {event_type}
    print(f"{read} reads of {len(year)} events of {len(types)} types")
    assert read > 500 and len(types) >= 15, (read, sorted(types))


def test_bad_variants_are_refused_or_read_exactly_as_the_schema_does(
    year: list[tuple[str, int, dict[str, Any]]],
) -> None:
    samples: dict[str, dict[str, Any]] = {}
    for event_type, version, data in year:
        samples.setdefault(event_type, dict(data, _version=version))
    checked, fell_back = 0, 0
    for event_type, sample in samples.items():
        version = sample.pop("_version")
        for declared in readers_of(event_type):
            compiled = declared._compiled
            assert compiled is not None
            for variant in variants(declared._upcast(version, sample)):
                expected = by_schema(declared, variant)
                try:
                    answer = compiled(variant)
                except Fallback:
                    fell_back += 1
                else:
                    assert ("ok", answer) == expected, (event_type, variant)
                assert by_read(declared, variant) == expected, (event_type, variant)
                checked += 1
    print(f"{checked} variants of {len(samples)} types, {fell_back} left to the schema")
    assert checked > 2000 and fell_back > checked // 4, (checked, fell_back)

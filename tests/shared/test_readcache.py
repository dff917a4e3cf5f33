"""Kept answers: the same version gives the kept answer, a new version or an old answer computes again."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import POSITIONS, event_store_tables, tracking_table
from shared.readcache import VersionedCache, data_version


def test_an_answer_is_kept_while_the_version_holds_and_recomputed_when_it_moves() -> None:
    cache = VersionedCache(size=2)
    calls: list[str] = []

    def compute(name: str):  # type: ignore[no-untyped-def]
        return lambda: calls.append(name) or f"answer {len(calls)}"

    assert cache.get("board", (1, None), compute("a")) == "answer 1"
    assert cache.get("board", (1, None), compute("b")) == "answer 1"  # kept
    assert cache.get("board", (2, None), compute("c")) == "answer 2"  # an event was recorded
    assert cache.get("board", (2, "t1"), compute("d")) == "answer 3"  # a consumer applied one
    assert (cache.hits, cache.misses) == (1, 3)
    cache.get("table", (2, "t1"), compute("e"))
    cache.get("other", (2, "t1"), compute("f"))  # the least recently used ("board") goes
    assert cache.get("board", (2, "t1"), compute("g")) == "answer 6"


def test_an_answer_older_than_its_max_age_is_computed_again() -> None:
    cache = VersionedCache(max_age=0.0)
    assert cache.get("board", (1, None), lambda: "first") == "first"
    assert cache.get("board", (1, None), lambda: "second") == "second"


def test_the_version_moves_with_each_event_and_each_applied_batch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    metadata = sa.MetaData()
    events, _progress = event_store_tables(metadata)
    tracking_table(metadata)
    positions = metadata.tables[POSITIONS]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'v.sqlite'}")
    metadata.create_all(engine)
    from datetime import UTC, datetime

    with engine.begin() as conn:
        empty = data_version(conn, events, positions)
        conn.execute(
            events.insert().values(
                event_id="e1",
                stream_id="s",
                stream_version=1,
                type="T",
                schema_version=1,
                data={},
                metadata={},
                recorded_at=datetime(2023, 1, 1, tzinfo=UTC),
            )
        )
        recorded = data_version(conn, events, positions)
        batch = {"consumer": "c", "topic": "t", "partition": 0, "next_offset": 1}
        conn.execute(positions.insert().values(**batch, applied_at=datetime(2023, 1, 2, tzinfo=UTC)))
        applied = data_version(conn, events, positions)
    assert len({empty, recorded, applied}) == 3

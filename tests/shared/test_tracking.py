"""A consumer claims its tracking rows in one statement: the events not applied yet, each once, and a
replica claiming the same events at once gets none of what the first one committed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from shared.db import claim, create_engine, tracking_table

AT = datetime(2023, 12, 15, 8, 30, tzinfo=UTC)


@pytest.fixture
def tracked(database_url: str) -> tuple[sa.Engine, sa.Table]:
    metadata = sa.MetaData()
    tracking = tracking_table(metadata)
    engine = create_engine(database_url)
    metadata.create_all(engine)
    return engine, tracking


def rows(engine: sa.Engine, tracking: sa.Table) -> set[tuple[str, str, datetime]]:
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(sa.select(tracking))}  # type: ignore[misc]


def test_a_claim_returns_the_events_not_applied_yet_and_writes_their_rows(
    tracked: tuple[sa.Engine, sa.Table],
) -> None:
    engine, tracking = tracked
    with engine.begin() as conn:
        assert claim(conn, tracking, "scoring", {"e1", "e2"}, AT) == {"e1", "e2"}
    with engine.begin() as conn:
        assert claim(conn, tracking, "scoring", {"e2", "e3"}, AT) == {"e3"}
        assert claim(conn, tracking, "audit", {"e2"}, AT) == {"e2"}  # each consumer its own rows
        assert claim(conn, tracking, "audit", set(), AT) == set()
    assert rows(engine, tracking) == {
        ("scoring", "e1", AT),
        ("scoring", "e2", AT),
        ("scoring", "e3", AT),
        ("audit", "e2", AT),
    }


def test_a_claim_whose_apply_fails_leaves_no_row(tracked: tuple[sa.Engine, sa.Table]) -> None:
    engine, tracking = tracked
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert claim(conn, tracking, "scoring", {"e1"}, AT) == {"e1"}
        raise RuntimeError("the apply failed")
    assert rows(engine, tracking) == set()
    with engine.begin() as conn:
        assert claim(conn, tracking, "scoring", {"e1"}, AT) == {"e1"}


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_replica_claiming_the_same_events_at_once_gets_only_what_the_first_did_not_commit(
    postgres_url: str, first_commits: bool
) -> None:
    metadata = sa.MetaData()
    tracking = tracking_table(metadata)
    engine = create_engine(postgres_url)
    metadata.create_all(engine)
    first = engine.connect()
    first.begin()
    assert claim(first, tracking, "scoring", {"e1", "e2"}, AT) == {"e1", "e2"}
    second: dict[str, set[str]] = {}

    def other_replica() -> None:
        with engine.begin() as conn:
            second["claimed"] = claim(conn, tracking, "scoring", {"e2", "e1", "e3"}, AT)

    replica = threading.Thread(target=other_replica)
    replica.start()
    replica.join(1.0)
    assert replica.is_alive(), "the second claim waits on the first one's uncommitted rows"
    if first_commits:
        first.commit()
    else:
        first.rollback()
    first.close()
    replica.join(10.0)
    assert second["claimed"] == ({"e3"} if first_commits else {"e1", "e2", "e3"})
    assert {r[1] for r in rows(engine, tracking)} == {"e1", "e2", "e3"}

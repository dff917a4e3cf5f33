"""The notices consumer reads events through their upcasters: an old shape still applies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from services.notifications import tables
from services.notifications.contracts import CONSUMED as CATALOGUE
from services.notifications.projections.notices import NoticesProjection
from shared.bus import make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine
from tests.factories import publish_old, renamed, with_next_version


def test_notices_apply_a_school_joined_cluster_of_version_1_after_version_2_is_declared(
    tmp_path: Path, embedded_bus_url: str
) -> None:
    topic = CATALOGUE["SchoolJoinedCluster"].topic
    old = {"year": 2023, "school_id": "sch_cu", "cum": "cl_2023_cu"}
    publish_old(embedded_bus_url, topic, "SchoolJoinedCluster", "cluster-cl_2023_cu", old)
    catalogue = with_next_version(CATALOGUE, "SchoolJoinedCluster", renamed(cum="cluster_id"))
    engine = create_engine(f"sqlite:///{tmp_path / 'notifications.sqlite'}")
    tables.metadata.create_all(engine)
    projection = NoticesProjection("academy@example.vn", lambda: datetime(2023, 3, 1, tzinfo=UTC))
    runner = ConsumerRunner(
        projection, engine, tables.processed_events, make_bus(embedded_bus_url), catalogue
    )
    runner.run_until_caught_up()
    runner.close()
    with engine.connect() as conn:
        members = [dict(r) for r in conn.execute(sa.select(tables.members)).mappings()]
    assert runner.stats.dead_lettered == 0
    assert [(m["year"], m["school_id"], m["cluster_id"]) for m in members] == [(2023, "sch_cu", "cl_2023_cu")]

"""Scoring reads events through their upcasters, live and in the inputs log it replays for as-of tables."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from services.scoring import tables
from services.scoring.bootstrap import bootstrap, migrate
from services.scoring.contracts import CONSUMED
from services.scoring.policies.scoring import ScoringPolicy
from services.vocabulary import REGISTRY_TOPIC
from shared.consumer import ConsumerRunner
from tests.factories import publish_old, renamed, service_settings, with_next_version


def test_scoring_applies_a_school_joined_cluster_of_version_1_after_version_2_is_declared(
    tmp_path: Path, embedded_bus_url: str
) -> None:
    old = {"year": 2023, "school_id": "sch_cu", "cum": "cl_2023_cu"}
    publish_old(embedded_bus_url, REGISTRY_TOPIC, "SchoolJoinedCluster", "cluster-cl_2023_cu", old)
    settings = service_settings("scoring", tmp_path, bus_url=embedded_bus_url)
    migrate(settings)
    service = bootstrap(settings)
    catalogue = with_next_version(CONSUMED, "SchoolJoinedCluster", renamed(cum="cluster_id"))
    runner = ConsumerRunner(
        ScoringPolicy(service), service.engine, tables.processed_events, service.bus, catalogue
    )
    runner.run_until_caught_up()
    runner.close()
    with service.engine.connect() as conn:
        members = [tuple(r) for r in conn.execute(sa.select(tables.members))]
        logged = conn.execute(sa.select(tables.inputs.c.data)).scalars().all()
    service.close()
    assert runner.stats.dead_lettered == 0
    assert members == [(2023, "sch_cu", "cl_2023_cu")]
    assert logged == [{"year": 2023, "school_id": "sch_cu", "cluster_id": "cl_2023_cu"}], "kept upcast"

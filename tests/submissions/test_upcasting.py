"""The submissions consumers read events through their upcasters: an old shape still applies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from services.submissions import tables
from services.submissions.contracts import REGISTRY_EVENTS
from services.submissions.projections.registry_view import RegistryView
from services.vocabulary import REGISTRY_TOPIC
from shared.bus import make_bus
from shared.consumer import ConsumerRunner
from shared.db import create_engine
from tests.factories import publish_old, renamed, with_next_version


def test_the_registry_view_applies_a_school_registered_of_version_1_after_version_2_is_declared(
    tmp_path: Path, embedded_bus_url: str
) -> None:
    publish_old(
        embedded_bus_url,
        REGISTRY_TOPIC,
        "SchoolRegistered",
        "school-sch_cu",
        {
            "school_id": "sch_cu",
            "loai": "provincial",
            "ten": "Trường Chính trị tỉnh Cũ",
            "valid_from": "2021-01-01",
        },
    )
    catalogue = with_next_version(REGISTRY_EVENTS, "SchoolRegistered", renamed(loai="kind", ten="name"))
    engine = create_engine(f"sqlite:///{tmp_path / 'submissions.sqlite'}")
    tables.metadata.create_all(engine)
    runner = ConsumerRunner(
        RegistryView(), engine, tables.processed_events, make_bus(embedded_bus_url), catalogue
    )
    runner.run_until_caught_up()
    runner.close()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tables.schools)).all()
    assert runner.stats.dead_lettered == 0
    assert [tuple(r) for r in rows] == [
        ("sch_cu", "provincial", "Trường Chính trị tỉnh Cũ", True, None, None)
    ]

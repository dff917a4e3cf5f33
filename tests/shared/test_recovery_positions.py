"""A recovered store keeps the positions its topic carries, so nothing recorded afterwards reuses one,
and a second recovery reads the topic in the same order as the first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from services.registry.app.schools import register_school
from services.registry.bootstrap import bootstrap, migrate
from services.registry.contracts import TOPIC
from services.registry.domain.schools import RegisterSchool
from services.registry.service import Registry
from shared.bus import Start
from shared.envelope import Envelope
from shared.eventstore import Context
from shared.recovery import recover
from shared.relay import POSITION_HEADER
from tests.factories import service_settings


def school(code: str) -> RegisterSchool:
    return RegisterSchool(code, f"Trường Chính trị {code}", "provincial", code.title(), date(2021, 1, 1))


def positions(registry: Registry) -> list[tuple[int, str]]:
    events = registry.metadata.tables["events"]
    with registry.engine.connect() as conn:
        return [
            (int(p), str(i))
            for p, i in conn.execute(
                sa.select(events.c.position, events.c.event_id).order_by(events.c.position)
            )
        ]


def emptied(registry: Registry, settings: object) -> Registry:
    """Lose the registry's database (every table dropped) and migrate an empty one."""
    registry.close()
    engine = sa.create_engine(settings.common.database_url)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    registry.metadata.drop_all(engine)
    engine.dispose()
    migrate(settings)
    return bootstrap(settings)


def test_after_a_recovery_new_events_take_positions_past_every_one_on_the_topic(
    database_url: str, bus_url: str, tmp_path: Path
) -> None:
    settings = service_settings("registry", tmp_path, database_url=database_url, bus_url=bus_url)
    migrate(settings)
    registry = bootstrap(settings)
    for code in ("A", "B"):
        register_school(registry, school(code), Context(actor="test"))
    with registry.transaction() as conn:  # a gap, as a rolled-back transaction leaves on PostgreSQL
        late = Envelope(
            "SchoolRegistered",
            "registry",
            "school-sch_gap",
            {**_registered("sch_gap", "GAP")},
            stream_version=1,
        )
        registry.store.restore(conn, [late], [40])
    registry.relay(TOPIC).drain()
    before = positions(registry)
    assert [p for p, _ in before][-1] == 40

    registry = emptied(registry, settings)
    recover(registry, TOPIC)
    assert positions(registry) == before, "each event at the position its record carries"
    register_school(registry, school("C"), Context(actor="test"))
    newest = positions(registry)[-1][0]
    assert newest == 41, "a new event comes after every position on the topic"
    registry.relay(TOPIC).drain()
    carried = [int(r.header(POSITION_HEADER) or b"0") for r in registry.bus.read([TOPIC], Start(), 1000)]
    assert len(carried) == len(set(carried)) == 4, "no position names two events"

    first = positions(registry)
    registry = emptied(registry, settings)
    recover(registry, TOPIC)
    assert positions(registry) == first, "a second recovery gives the same events in the same order"
    registry.close()


def _registered(school_id: str, code: str) -> dict[str, object]:
    return {
        "school_id": school_id,
        "code": code,
        "name": f"Trường Chính trị {code}",
        "kind": "provincial",
        "province": code.title(),
        "valid_from": "2021-01-01",
        "email": None,
        "phone": None,
    }

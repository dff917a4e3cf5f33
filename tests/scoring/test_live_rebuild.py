"""A rebuild of scoring while its consumer keeps running and filings keep arriving: the live read model
serves until one swap, and afterwards equals a rebuild from scratch; no revision goes backwards."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.scoring.app.rebuilds import rebuild, rebuild_beside
from services.scoring.bootstrap import bootstrap, migrate, scoring_runner
from services.scoring.tables import FACT_TABLES, events, results
from services.vocabulary import SUBMISSIONS_TOPIC
from tests.factories import service_settings
from tests.scoring.conftest import Scene
from tests.scoring.test_scenario_2023 import THAI_NGUYEN, play_the_year
from tests.submissions.conftest import CLUSTER, PHU_THO, auth, head


def text(value: Any) -> str:
    """Return a value as text that is the same on SQLite and PostgreSQL (JSON keys sorted, 6 == 6.0)."""
    dumped = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return dumped.replace(".0,", ",").replace(".0}", "}").replace(".0]", "]")


def model(engine: sa.Engine) -> dict[str, list[str]]:
    """Return the facts and the results (without their revision numbers), sorted, as text."""
    with engine.connect() as conn:
        found = {t.name: sorted(text(list(r)) for r in conn.execute(sa.select(t))) for t in FACT_TABLES}
        bodies = conn.execute(sa.select(results.c.kind, results.c.subject_id, results.c.body)).all()
    found["results"] = sorted(
        text([kind, subject, {k: v for k, v in body.items() if k != "revision"}])
        for kind, subject, body in bodies
    )
    return found


def inspections(scene: Scene, count: int) -> None:
    """File inspections with changing verified scores, relaying each to the bus at once."""
    client = scene.world.service  # a client of its own: this runs beside the test's thread
    from services.submissions.wsgi import create_app

    http = create_app(client).test_client()
    for n in range(count):
        body = {
            "year": 2023,
            "form": "KIEM_TRA",
            "cluster_id": CLUSTER,
            "payload": {
                "inspected_school_id": PHU_THO,
                "inspecting_school_ids": [THAI_NGUYEN],
                "cross_inspection": True,
                "inspected_on": f"2023-09-{1 + n % 28:02d}",
                "findings": f"Lần kiểm tra {n}",
                "verified_scores": [{"criterion": "DOT_PHA.1", "points": 5 + n % 10}],
            },
        }
        assert http.post("/filings", json=body, headers=head()).status_code == 201
        client.relay(SUBMISSIONS_TOPIC).drain()


def test_scoring_is_rebuilt_beside_the_live_model_under_a_write_load(scene: Scene, tmp_path: Path) -> None:
    play_the_year(scene)
    live = scoring_runner(scene.scoring)
    stop = threading.Event()
    consumer = threading.Thread(target=live.run, args=(stop,), kwargs={"poll_timeout": 0.1})
    writer = threading.Thread(target=inspections, args=(scene, 40))
    progress: list[tuple[int, int]] = []
    answers: list[int] = []

    def read() -> None:  # a user reading the score table all along
        from services.scoring.wsgi import create_app

        client = create_app(scene.scoring).test_client()
        while not stop.is_set():
            answers.append(client.get(f"/score-tables/2023/{CLUSTER}", headers=auth("operator")).status_code)

    reader = threading.Thread(target=read)
    consumer.start()
    writer.start()
    reader.start()
    try:
        rebuild_beside(scene.scoring, progress=lambda done, total: progress.append((done, total)))
        writer.join(timeout=120)
        live.run_until_caught_up(timeout=120)  # what arrived after the swap, applied by the live consumer
    finally:
        stop.set()
        reader.join(timeout=30)
        consumer.join(timeout=30)
        writer.join(timeout=30)
        live.close()
    assert progress and progress[-1][0] == progress[-1][1] > 0
    (journal,) = scene.get("/rebuilds")  # what thidua and the console show of it
    assert journal["state"] == "done" and journal["done"] == journal["total"] > 0 and journal["finished_at"]
    assert answers and set(answers) == {200}, "the live score table answered throughout"

    scratch = service_settings("scoring", tmp_path / "scratch", bus_url=scene.scoring.settings.bus_url)
    (tmp_path / "scratch").mkdir()
    migrate(scratch)
    fresh = bootstrap(scratch)
    try:
        rebuild(fresh, timeout=120)
        assert model(scene.scoring.engine) == model(fresh.engine)
    finally:
        fresh.close()

    with scene.scoring.engine.connect() as conn:
        published = conn.execute(
            sa.select(events.c.type, events.c.data)
            .where(events.c.type == "ScoresComputed")
            .order_by(events.c.position)
        ).all()
    last: dict[Any, int] = {}
    for _type, data in published:
        key = (data["year"], data["cluster_id"])
        assert data["revision"] > last.get(key, 0), "a revision never goes backwards"
        last[key] = data["revision"]

"""Rebuild equals live, the score table as of a past moment, exports, and clear errors."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from openpyxl import load_workbook

from services.scoring.app.rebuilds import rebuild
from services.scoring.tables import FACT_TABLES, inputs, results
from tests.scoring.conftest import Scene
from tests.scoring.test_scenario_2023 import play_the_year
from tests.submissions.conftest import CLUSTER, HOA_BINH, PHU_THO, auth


def snapshot(scene: Scene) -> dict[str, list[tuple[object, ...]]]:
    """Return every row of the facts and results tables, sorted."""
    with scene.scoring.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(sa.select(table))), key=str
            )
            for table in (*FACT_TABLES, results)
        }


def test_a_rebuild_gives_identical_tables_and_publishes_nothing_new(scene: Scene) -> None:
    play_the_year(scene)
    live = snapshot(scene)
    published_before = len(scene.published("ScoresComputed"))
    assert rebuild(scene.scoring, timeout=120) == 0
    assert snapshot(scene) == live
    assert len(scene.published("ScoresComputed")) == published_before
    assert (
        len(live["results"]) == 68 * 2 + 8 * 2
    )  # a card and targets per school, a table and proposals per cluster


def test_the_score_table_as_of_a_past_moment_is_computed_from_the_events(scene: Scene) -> None:
    play_the_year(scene)
    now = scene.get(f"/score-tables/2023/{CLUSTER}")
    with scene.scoring.engine.connect() as conn:
        times = list(conn.execute(sa.select(inputs.c.type, inputs.c.occurred_at).order_by(inputs.c.seq)))
    before_sheets = max(
        t
        for kind, t in times
        if kind != "ScoreSheetSubmitted" and t < min(t for k, t in times if k == "ScoreSheetSubmitted")
    )
    past = scene.get(f"/score-tables/2023/{CLUSTER}?as_of={quote(before_sheets.isoformat())}")
    assert past["as_of"] == before_sheets.isoformat()
    assert {r["school_id"]: r["base"] for r in past["table"]}[HOA_BINH] == 0
    assert {r["school_id"]: r["final"] for r in now["table"]}[HOA_BINH] == 95
    latest = scene.get(f"/score-tables/2023/{CLUSTER}?as_of={quote(datetime.now().astimezone().isoformat())}")
    assert latest["table"] == now["table"]


def test_the_score_table_exports_as_a_real_spreadsheet_and_csv(scene: Scene) -> None:
    play_the_year(scene)
    xlsx = scene.client.get(f"/score-tables/2023/{CLUSTER}/export?format=xlsx", headers=auth("operator"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Hạng", "Mã trường", "Tên trường")
    assert rows[1][:3] == (1, "HOABINH", "Trường Chính trị tỉnh Hòa Bình")
    assert rows[1][6] == 95 and isinstance(rows[1][6], (int, float))
    assert rows[1][7] == "Hoàn thành xuất sắc nhiệm vụ"  # the band by its name, not its code
    text = scene.client.get(
        f"/score-tables/2023/{CLUSTER}/export?format=csv", headers=auth("operator")
    ).data.decode()
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0][0] == "Hạng" and len(parsed) == 8
    targets = scene.client.get("/targets/2023/export?format=xlsx", headers=auth("operator"))
    target_rows = list(load_workbook(io.BytesIO(targets.data)).worksheets[0].iter_rows(values_only=True))
    assert target_rows[0][2] == "Chỉ tiêu"
    phu_tho_t3 = next(r for r in target_rows if r[0] == "PHUTHO" and r[2] == "T3")
    assert (phu_tho_t3[4], phu_tho_t3[7]) == (1, "Không đạt")


def test_unknown_results_and_bad_queries_are_clear_errors(scene: Scene) -> None:
    play_the_year(scene)
    assert scene.client.get("/score-cards/2031/sch_x", headers=auth("operator")).status_code == 404
    assert (
        scene.client.get(
            f"/score-tables/2023/{CLUSTER}?as_of=yesterday", headers=auth("operator")
        ).status_code
        == 422
    )
    assert (
        scene.client.get(
            f"/score-tables/2023/{CLUSTER}/export?format=pdf", headers=auth("operator")
        ).status_code
        == 422
    )
    assert scene.client.get(f"/score-cards/2023/{PHU_THO}").status_code == 401
    assert scene.client.get("/proposals/2023/cl_nope", headers=auth("operator")).status_code == 404


def test_the_score_table_is_a_document_a_client_holding_it_gets_304(scene: Scene) -> None:
    play_the_year(scene)
    path, headers = f"/score-tables/2023/{CLUSTER}", auth("operator")
    first = scene.client.get(path, headers=headers)
    assert first.status_code == 200 and first.get_json()["table"]
    held = scene.client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert (held.status_code, held.data) == (304, b"")
    stale = scene.client.get(path, headers={**headers, "If-None-Match": '"an-older-revision"'})
    assert stale.status_code == 200 and stale.get_json() == first.get_json()

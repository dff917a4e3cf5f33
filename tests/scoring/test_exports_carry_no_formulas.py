"""Exports carry no live formula: a school named like a formula is written as text in every XLSX and
CSV the suite produces (the score table, the targets report, the audit trail)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from services.notifications.app.exports import audit_csv
from services.scoring.app import exports
from services.scoring.tables import schools
from shared.cells import neutralised
from tests.scoring.conftest import Scene
from tests.scoring.test_scenario_2023 import play_the_year
from tests.submissions.conftest import CLUSTER, HOA_BINH, auth

EVIL = '=HYPERLINK("http://evil.example","Bấm vào")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_starts_like_a_formula_is_neutralised_in_both_formats(start: str) -> None:
    text = f"{start}1+2"
    assert neutralised(text) == f"'{start}1+2"
    workbook = load_workbook(io.BytesIO(exports.to_xlsx("t", ["Tên"], [[text, 5, -3]])))
    cell, number, negative = (
        workbook.worksheets[0]["A2"],
        workbook.worksheets[0]["B2"],
        workbook.worksheets[0]["C2"],
    )
    assert (cell.data_type, cell.value) == ("s", f"'{start}1+2")
    assert (number.value, negative.value) == (5, -3)  # numbers stay numbers
    [_header, row] = list(
        csv.reader(io.StringIO(exports.to_csv(["Tên"], [[text]]).decode().lstrip("\ufeff")))
    )
    assert row == [f"'{start}1+2"]


@pytest.mark.parametrize("text", ["Name;=1+2", "Tên,+1", "  =1+2", "Trường; @SUM(A1)"])
def test_no_text_cell_splits_into_a_formula_under_either_list_separator(text: str) -> None:
    body = exports.to_csv(["Tên", "Điểm"], [[text, 95]]).decode().lstrip("\ufeff")
    for separator in (",", ";"):  # a spreadsheet of a locale whose list separator is ";" splits on it
        for line in body.splitlines()[1:]:
            cells = next(csv.reader(io.StringIO(line), delimiter=separator))
            assert not any(c.lstrip(" ").startswith(("=", "+", "-", "@")) for c in cells), (separator, cells)
    assert f'"{neutralised(text)}"' in body  # quoted whole, neutralised where it starts like one


def test_ordinary_names_are_written_unchanged() -> None:
    assert neutralised("Trường Chính trị tỉnh Hòa Bình") == "Trường Chính trị tỉnh Hòa Bình"
    assert neutralised(95.5) == 95.5 and neutralised(None) is None


def test_a_school_named_like_a_formula_is_text_in_the_score_table_and_targets_exports(scene: Scene) -> None:
    play_the_year(scene)
    with scene.scoring.engine.begin() as conn:
        conn.execute(schools.update().where(schools.c.school_id == HOA_BINH).values(name=EVIL))
    xlsx = scene.client.get(f"/score-tables/2023/{CLUSTER}/export?format=xlsx", headers=auth("operator"))
    cells = [c for row in load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows() for c in row]
    named = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert named and all(c.data_type == "s" and c.value == "'" + EVIL for c in named)
    text = scene.client.get(f"/score-tables/2023/{CLUSTER}/export?format=csv", headers=auth("operator"))
    rows = list(csv.reader(io.StringIO(text.data.decode().lstrip("\ufeff"))))
    assert any("'" + EVIL in row for row in rows)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    for fmt in ("xlsx", "csv"):
        report = scene.client.get(f"/targets/2023/export?format={fmt}", headers=auth("operator")).data
        if fmt == "xlsx":
            values = [
                c.value for row in load_workbook(io.BytesIO(report)).worksheets[0].iter_rows() for c in row
            ]
        else:
            values = [v for row in csv.reader(io.StringIO(report.decode().lstrip("\ufeff"))) for v in row]
        assert "'" + EVIL in values and EVIL not in values


def test_an_actor_named_like_a_formula_is_text_in_the_audit_export() -> None:
    row = {
        "seq": 1,
        "occurred_at": "2023-03-01T00:00:00+00:00",
        "topic": "thidua.registry.events",
        "type": "SchoolRegistered",
        "stream_id": "school-x",
        "stream_version": 1,
        "school_id": "sch_x",
        "cluster_id": None,
        "actor": "@SUM(1+1)*cmd|' /C calc'!A0",
        "correlation_id": None,
        "event_id": "e1",
        "hash": "0" * 64,
        "data": {"name": EVIL},
    }
    [_header, line] = list(csv.reader(io.StringIO(audit_csv([row]).decode().lstrip("\ufeff"))))
    assert line[8] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line)

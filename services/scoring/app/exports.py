"""Exports of the score table and the targets report: XLSX (openpyxl) and CSV, with Vietnamese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from shared.cells import neutralised

SCORE_TABLE_HEADERS = (
    "Hạng",
    "Mã trường",
    "Tên trường",
    "Điểm chấm",
    "Điểm thưởng",
    "Điểm trừ",
    "Tổng điểm",
    "Xếp loại",
    "Số chỉ tiêu đạt",
    "Đủ điều kiện bình xét",
)
TARGETS_HEADERS = ("Mã trường", "Tên trường", "Chỉ tiêu", "Nội dung", "Giá trị", "Tối thiểu", "Tối đa", "Đạt")
Row = Sequence[Any]


def score_table_rows(
    table: Sequence[dict[str, Any]], names: dict[str, str], bands: dict[str, str]
) -> list[Row]:
    """Return the score table as rows of cells (numbers stay numbers; bands by their names)."""
    return [
        (
            r["rank"],
            r["code"],
            names.get(r["school_id"], r["school_id"]),
            r["base"],
            r["bonus"],
            r["deductions"],
            r["final"],
            bands.get(r["band"], r["band"]),
            r["targets_met"],
            "Có" if r["eligible"] else "Không",
        )
        for r in table
    ]


def targets_rows(report: Sequence[dict[str, Any]]) -> list[Row]:
    """Return the targets report as rows of cells, one per school and target."""
    return [
        (
            school["code"],
            school["name"],
            t["code"],
            t["description"],
            t["value"],
            t["minimum"],
            t["maximum"],
            "Đạt" if t["met"] else "Không đạt",
        )
        for school in report
        for t in school["targets"]
    ]


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Return a one-sheet workbook with a bold header row; text is stored as text, never a formula."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralised(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Return UTF-8 CSV with a byte-order mark (diacritics read right), formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(["" if cell is None else neutralised(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()

"""Exports of the score table and the targets report: XLSX (openpyxl) and CSV, with Vietnamese headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.cells import Row, to_csv, to_xlsx

__all__ = ["SCORE_TABLE_HEADERS", "TARGETS_HEADERS", "score_table_rows", "targets_rows", "to_csv", "to_xlsx"]

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

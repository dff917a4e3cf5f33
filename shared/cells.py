"""Cells of the spreadsheets and CSV files the suite writes: text stays text, never a formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV injection); such text (also after leading spaces) is written with a leading
apostrophe, as OWASP advises, and numbers, dates and booleans are written as they are. In CSV every text
cell is quoted, so a separator inside it (``,`` or the ``;`` of locales that use it) never splits it
into a cell that a spreadsheet could evaluate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

Row = Sequence[Any]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Return a cell's value fit for a spreadsheet: formula-like text prefixed with an apostrophe."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(headers)
    writer.writerows(["" if cell is None else neutralised(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()

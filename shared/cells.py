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
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Row = Sequence[Any]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Return a cell's value fit for a spreadsheet: formula-like text prefixed with an apostrophe."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Return a one-sheet workbook as a person opens it: a bold header row that stays in view, columns as
    wide as what they hold, dates as dates (dd/mm/yyyy); text is stored as text, never a formula."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([neutralised(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for n, column in enumerate(sheet.iter_cols(), start=1):
        longest = max((len(_shown(c.value)) for c in column), default=0)
        sheet.column_dimensions[get_column_letter(n)].width = min(max(longest + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shown(value: Any) -> str:
    """Return about what a cell shows, to size its column by."""
    if isinstance(value, datetime):
        return "00/00/0000 00:00"
    if isinstance(value, date):
        return "00/00/0000"
    return "" if value is None else str(value)


def to_csv(headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Return UTF-8 CSV with a byte-order mark (diacritics read right), formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(headers)
    writer.writerows(["" if cell is None else neutralised(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()

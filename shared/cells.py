"""Cells of the spreadsheets and CSV files the suite writes: text stays text, never a formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV injection); such text is written with a leading apostrophe, as OWASP
advises, and numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Return a cell's value fit for a spreadsheet: formula-like text prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

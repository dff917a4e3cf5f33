"""Numbers written as Vietnamese readers write them, the same on every page, paper and mail."""

from __future__ import annotations


def number(value: float | int | None) -> str:
    """Return a number in Vietnamese style: a decimal comma, no trailing zeros (92,5; 100)."""
    if value is None:
        return ""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")

"""Dates in Vietnam: a deadline "trước ngày 05/3" lasts until the end of that day in Asia/Ho_Chi_Minh.

The one place that writes dates and times for people (dd/mm/yyyy, as the letter writes them): every
mail, paper and page goes through ``day_text`` and ``local_text``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """Return the date in Vietnam at a moment."""
    return moment.astimezone(LOCAL_TIME).date()


def day_text(day: date | str | None) -> str:
    """Return a day as people in Vietnam read it: dd/mm/yyyy ('' for none); an ISO string is read first
    (text that is no date is shown as it is)."""
    if not day:
        return ""
    if not isinstance(day, date):
        try:
            day = date.fromisoformat(str(day)[:10])
        except ValueError:
            return str(day)
    return day.strftime("%d/%m/%Y")


def local_text(moment: datetime | None) -> str:
    """Return a moment as people in Vietnam read it: dd/mm/yyyy HH:MM, Vietnam time ('' for none)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M")

"""Dates in Vietnam: a deadline "trước ngày 05/3" lasts until the end of that day in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """Return the date in Vietnam at a moment."""
    return moment.astimezone(LOCAL_TIME).date()

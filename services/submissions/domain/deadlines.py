"""Deadlines in force: which deadline a form answers, and whether a moment is on time (Vietnam time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from shared.time import local_date

Deadline = Mapping[str, Any]


def due_date(deadline: Deadline) -> date:
    """Return a deadline's due date (the one in force, extensions included)."""
    due = deadline["due"]
    return due if isinstance(due, date) else date.fromisoformat(due)


def answered_by(deadlines: Sequence[Deadline], form: str) -> Deadline | None:
    """Return the deadline whose forms include this form, if the campaign sets one."""
    return next((d for d in deadlines if form in d["forms"]), None)


def on_time(moment: datetime, deadline: Deadline) -> bool:
    """Return whether a filing at this moment meets the deadline (by the end of its due date)."""
    return local_date(moment) <= due_date(deadline)


def has_passed(deadline: Deadline, now: datetime) -> bool:
    """Return whether the deadline's due date is over in Vietnam."""
    return local_date(now) > due_date(deadline)

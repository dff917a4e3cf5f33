"""Deadlines in force: which deadline a form answers, and whether a moment is on time (Vietnam time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from services.vocabulary import due_for
from shared.time import local_date

Deadline = Mapping[str, Any]


def due_date(deadline: Deadline, filer_id: str | None = None) -> date:
    """Return a deadline's due date in force (extensions included): a filer's own, if it has a later one."""
    return due_for(deadline, filer_id)


def answered_by(deadlines: Sequence[Deadline], form: str) -> Deadline | None:
    """Return the deadline whose forms include this form, if the campaign sets one."""
    return next((d for d in deadlines if form in d["forms"]), None)


def on_time(moment: datetime, deadline: Deadline, filer_id: str | None = None) -> bool:
    """Return whether a filer's filing at this moment meets the deadline (by the end of its due date)."""
    return local_date(moment) <= due_date(deadline, filer_id)


def has_passed(deadline: Deadline, now: datetime, filer_id: str | None = None) -> bool:
    """Return whether the deadline's due date (a filer's own, if given) is over in Vietnam."""
    return local_date(now) > due_date(deadline, filer_id)

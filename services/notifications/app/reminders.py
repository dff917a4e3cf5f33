"""Reminders before each deadline (default 7 days and 1 day before) to whoever still owes the filing.

A reminder's key names the year, deadline, offset and filer, so it is made once however often the
scheduler runs or restarts; a filer that has filed (or is exempt) gets none.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa

from services.notifications.app import notices as recipients
from services.notifications.app.messages import render
from services.notifications.tables import deadlines, exempt, filed, filer_dues, heads, members
from shared.time import day_text, local_date

log = logging.getLogger(__name__)


def send_reminders(engine: sa.Engine, now: datetime, offsets_days: Sequence[int]) -> int:
    """Make every reminder that is due now and not made yet; return how many notices were added.

    A filer counts down to its own day when an extension for it alone is later than the deadline's.
    """
    today = local_date(now)
    added = 0
    with engine.begin() as conn:
        own = {(r.year, r.code, r.filer_id): r.due for r in conn.execute(filer_dues.select())}
        for deadline in conn.execute(deadlines.select()).mappings():
            for filer_type, filer_id in _owing(conn, deadline):
                due = max(
                    deadline["due"], own.get((deadline["year"], deadline["code"], filer_id), deadline["due"])
                )
                days_left = (due - today).days
                offset = next((d for d in sorted(offsets_days) if 0 <= days_left <= d), None)
                if offset is None:
                    continue
                to = recipients.filer_recipients(conn, deadline["year"], filer_type, filer_id)
                subject, body = render(
                    "reminder",
                    deadline=deadline,
                    due=day_text(due),
                    recipient_name=to.name,
                    year=deadline["year"],
                    filer_name=to.name,
                    days_left=days_left,
                )
                key = f"reminder:{deadline['year']}:{deadline['code']}:{offset}d:{filer_id}"
                if due != deadline["due"]:  # counted again to the filer's own day
                    key = f"{key}:{due.isoformat()}"
                added += recipients.add_notice(conn, key, "reminder", to, subject, body, now)
    return added


def run_reminders(
    engine: sa.Engine,
    clock: Callable[[], datetime],
    offsets_days: Sequence[int],
    stop: threading.Event,
    interval: float,
) -> None:
    """Make due reminders every ``interval`` seconds until stopped."""
    while not stop.is_set():
        try:
            if count := send_reminders(engine, clock(), offsets_days):
                log.info("reminders: %d notices added", count)
        except sa.exc.OperationalError:
            log.warning("reminders: database unavailable", exc_info=True)
        stop.wait(interval)


def _owing(conn: sa.Connection, deadline: sa.RowMapping) -> list[tuple[str, str]]:
    """Return (filer type, filer id) of those who must file for a deadline and have not."""
    year = deadline["year"]
    if deadline["filer"] == "school":
        filers = [
            ("school", s)
            for s in conn.execute(sa.select(members.c.school_id).where(members.c.year == year)).scalars()
        ]
    else:
        filers = [
            ("cluster", c)
            for c in conn.execute(sa.select(heads.c.cluster_id).where(heads.c.year == year)).scalars()
        ]
    done = set(
        conn.execute(
            sa.select(filed.c.filer_id).where((filed.c.year == year) & filed.c.form.in_(deadline["forms"]))
        ).scalars()
    )
    done |= set(
        conn.execute(
            sa.select(exempt.c.filer_id).where(
                (exempt.c.year == year) & (exempt.c.deadline_code == deadline["code"])
            )
        ).scalars()
    )
    return [(t, f) for t, f in sorted(filers) if f not in done]

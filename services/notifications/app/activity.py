"""How busy each topic is: events per minute over the last hour, from the audit trail."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.notifications.tables import audit_entries


def per_minute(conn: sa.Connection, now: datetime, minutes: int = 60) -> dict[str, list[int]]:
    """Return, per topic, how many events it carried in each of the last minutes (oldest first)."""
    start = (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    rows = conn.execute(
        sa.select(audit_entries.c.topic, audit_entries.c.occurred_at).where(
            audit_entries.c.occurred_at >= start
        )
    ).all()
    counts: dict[str, Counter[int]] = {}
    for topic, moment in rows:
        slot = int((moment - start).total_seconds() // 60)
        if 0 <= slot < minutes:
            counts.setdefault(topic, Counter())[slot] += 1
    return {topic: [c[m] for m in range(minutes)] for topic, c in sorted(counts.items())}


def latest(conn: sa.Connection) -> datetime | None:
    """Return the end of the minute of the newest audited event (where the chart's hour ends)."""
    newest = conn.execute(sa.select(sa.func.max(audit_entries.c.seq))).scalar()
    if newest is None:
        return None
    moment = conn.execute(
        sa.select(audit_entries.c.occurred_at).where(audit_entries.c.seq == newest)
    ).scalar()
    return None if moment is None else moment + timedelta(minutes=1)

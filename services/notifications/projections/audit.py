"""The audit trail: every event of every audited topic, recorded once, in arrival order."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.notifications.contracts import AUDITED_TOPICS
from services.notifications.tables import audit_entries
from shared.consumer import Consumed


class AuditTrail:
    """Projection that appends one audit entry per event."""

    name = "notifications-audit"
    topics = AUDITED_TOPICS
    accepts_any_type = True

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Record one event."""
        event = consumed.event
        conn.execute(
            audit_entries.insert().values(
                event_id=event.id,
                topic=consumed.record.topic,
                type=event.type,
                schema_version=event.schema_version,
                stream_id=event.stream_id,
                stream_version=event.stream_version,
                source=event.source,
                actor=event.actor,
                correlation_id=event.correlation_id,
                occurred_at=event.time,
                data=consumed.data,
            )
        )

    def reset(self, conn: sa.Connection) -> None:
        """Empty the trail (before a replay)."""
        conn.execute(audit_entries.delete())


def audit_query(
    conn: sa.Connection, stream_id: str | None, event_type: str | None, page: int, per_page: int
) -> list[dict[str, Any]]:
    """Return one page of audit entries, oldest first, filtered by stream and type."""
    query = audit_entries.select().order_by(audit_entries.c.seq)
    if stream_id:
        query = query.where(audit_entries.c.stream_id == stream_id)
    if event_type:
        query = query.where(audit_entries.c.type == event_type)
    query = query.offset((page - 1) * per_page).limit(per_page)
    return [dict(row) for row in conn.execute(query).mappings()]

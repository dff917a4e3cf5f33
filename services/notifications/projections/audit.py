"""The audit trail: every event of every topic, recorded once, append-only and hash-chained.

Each entry's hash covers its content and the previous entry's hash, so changing, removing or
reordering any entry breaks the chain from there on; ``verify`` finds the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.notifications.contracts import AUDITED_TOPICS
from services.notifications.tables import audit_entries
from shared.consumer import Consumed, ConsumerOptions

GENESIS = "0" * 64
CHAINED = (
    "event_id",
    "topic",
    "type",
    "schema_version",
    "stream_id",
    "stream_version",
    "source",
    "actor",
    "correlation_id",
    "occurred_at",
    "data",
    "school_id",
    "cluster_id",
)


class AuditTrail:
    """Projection that appends one chained audit entry per event."""

    name = "notifications-audit"
    topics = AUDITED_TOPICS
    options = ConsumerOptions(accepts_any_type=True, serialised=True)  # one chain: one batch at a time

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Record one event, chained to the entry before it."""
        event, data = consumed.event, dict(consumed.event.data)
        entry = {
            "event_id": event.id,
            "topic": consumed.record.topic,
            "type": event.type,
            "schema_version": event.schema_version,
            "stream_id": event.stream_id,
            "stream_version": event.stream_version,
            "source": event.source,
            "actor": event.actor,
            "correlation_id": event.correlation_id,
            "occurred_at": event.time,
            "data": data,
            "school_id": _school_of(data),
            "cluster_id": data.get("cluster_id"),
        }
        previous = (
            conn.execute(
                sa.select(audit_entries.c.hash).order_by(audit_entries.c.seq.desc()).limit(1)
            ).scalar()
            or GENESIS
        )
        conn.execute(
            audit_entries.insert().values(
                **entry,
                causation_id=event.causation_id,
                traceparent=event.traceparent,
                partition=consumed.record.partition,
                offset=consumed.record.offset,
                prev_hash=previous,
                hash=entry_hash(previous, entry),
            )
        )

    def reset(self, conn: sa.Connection) -> None:
        """Empty the trail (before a replay, which chains it anew)."""
        conn.execute(audit_entries.delete())


def entry_hash(previous: str, entry: dict[str, Any]) -> str:
    """Return the SHA-256 of the previous hash and an entry's canonical JSON."""
    content = {key: entry[key] for key in CHAINED}
    content["occurred_at"] = _instant(content["occurred_at"])
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def verify(conn: sa.Connection, page: int = 1000) -> dict[str, Any]:
    """Walk the whole chain; report how many entries hold and the first broken link, if any."""
    previous, checked = GENESIS, 0
    for row in _walk(conn, page):
        if row["prev_hash"] != previous:
            return _broken(row, checked, "the entry does not follow the one before it (removed or reordered)")
        if entry_hash(previous, dict(row)) != row["hash"]:
            return _broken(row, checked, "the entry's content does not match its hash (altered)")
        previous, checked = row["hash"], checked + 1
    return {"ok": True, "checked": checked, "first_broken": None}


AUDIT_FILTERS = (
    "stream_id",
    "school_id",
    "cluster_id",
    "actor",
    "type",
    "topic",
    "correlation_id",
    "causation_id",
    "event_id",
)
"""The columns an audit search filters on, each by equality."""


def audit_query(
    conn: sa.Connection, filters: dict[str, Any], page: int, per_page: int, newest_first: bool = False
) -> list[dict[str, Any]]:
    """Return one page of entries (oldest first unless told) filtered on ``AUDIT_FILTERS`` and time."""
    query = audit_entries.select().order_by(
        audit_entries.c.seq.desc() if newest_first else audit_entries.c.seq
    )
    for column in AUDIT_FILTERS:
        if filters.get(column):
            query = query.where(audit_entries.c[column] == filters[column])
    for column in ("partition", "offset"):  # where a record was read (0 is a partition and an offset)
        if filters.get(column) is not None:
            query = query.where(audit_entries.c[column] == filters[column])
    if filters.get("since"):
        query = query.where(audit_entries.c.occurred_at >= filters["since"])
    if filters.get("until"):
        query = query.where(audit_entries.c.occurred_at < filters["until"])
    query = query.offset((page - 1) * per_page).limit(per_page)
    return [dict(row) for row in conn.execute(query).mappings()]


def _walk(conn: sa.Connection, page: int) -> Iterator[sa.RowMapping]:
    last = 0
    while True:
        rows = (
            conn.execute(
                audit_entries.select()
                .where(audit_entries.c.seq > last)
                .order_by(audit_entries.c.seq)
                .limit(page)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def _broken(row: sa.RowMapping, checked: int, reason: str) -> dict[str, Any]:
    return {
        "ok": False,
        "checked": checked,
        "first_broken": {"seq": row["seq"], "event_id": row["event_id"], "reason": reason},
    }


def _school_of(data: dict[str, Any]) -> str | None:
    if data.get("school_id"):
        return str(data["school_id"])
    if data.get("filer_type") == "school":
        return str(data["filer_id"])
    return None


def _instant(moment: Any) -> str:
    """Return a timestamp as UTC ISO text, whichever way the database gave it back."""
    return moment.astimezone(UTC).isoformat() if isinstance(moment, datetime) else str(moment)

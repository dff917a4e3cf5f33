"""What the operators' console reads of notifications: one audited event, the mail log, the demonstration."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.notifications.app.notices import cluster_name, school_name
from services.notifications.domain.notices import ACADEMY_INBOX
from services.notifications.tables import audit_entries, notices
from shared.errors import NotFound
from shared.personal import is_sealed

DEMO_ACTOR = "%:minh-hoa"
"""How the demonstration year signs what it does (services.demo)."""
SEALED_ADDRESS = "(địa chỉ được niêm phong)"
"""What the mail log shows for an address kept sealed: it is opened only to send."""


def audited_event(conn: sa.Connection, event_id: str) -> dict[str, Any]:
    """Return one audited event by its id; 404 when the trail has none."""
    row = conn.execute(audit_entries.select().where(audit_entries.c.event_id == event_id)).mappings().first()
    if row is None:
        raise NotFound(f"no audited event {event_id}", {"event_id": event_id})
    return dict(row)


def demonstration_present(conn: sa.Connection) -> bool:
    """Return whether the audit trail holds the demonstration year's events."""
    query = sa.select(audit_entries.c.seq).where(audit_entries.c.actor.like(DEMO_ACTOR)).limit(1)
    return conn.execute(query).first() is not None


def mail_log(conn: sa.Connection, status: str | None, page: int, per_page: int) -> list[dict[str, Any]]:
    """Return one page of the e-mails sent or being sent, newest first, optionally in one state."""
    query = sa.select(notices).where(notices.c.inbox == "").order_by(notices.c.id.desc())
    if status:
        query = query.where(notices.c.email_status == status)
    query = query.offset((page - 1) * per_page).limit(per_page)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        if is_sealed(row["recipient"]):  # an officer's address, kept sealed: named by the unit
            row["unit"] = _unit_of(conn, row["notice_key"])
            row["recipient"] = SEALED_ADDRESS
        else:  # only the Academy's own mailbox is configuration, not personal data
            row["unit"] = ACADEMY_UNIT
    return rows


ACADEMY_UNIT = "Học viện (Vụ Các trường chính trị)"


def _unit_of(conn: sa.Connection, mail_key: str) -> str:
    """Return, by name, the school or cluster a sealed mail went to: the inbox of its notice beside it."""
    prefix = mail_key.split("|mail:", 1)[0]
    inbox = conn.execute(
        sa.select(notices.c.inbox).where(
            notices.c.notice_key.like(f"{prefix}|inbox:%"), notices.c.inbox != ACADEMY_INBOX
        )
    ).scalar()
    kind, _, unit_id = (inbox or "").partition(":")
    if kind == "school":
        return school_name(conn, unit_id)
    if kind == "cluster":
        return f"Cụm trưởng, {cluster_name(conn, unit_id)}"
    return "Không rõ đơn vị"

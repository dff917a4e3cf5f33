"""The people the filings name: found, shown to the Academy, exported on request, erased with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from services.submissions.service import Submissions
from services.submissions.tables import campaigns, events, personal_keys
from shared.errors import Conflict, NotFound
from shared.eventstore import Context, NewEvent
from shared.personal import PREFIX, KeyRing


def keyring(service: Submissions) -> KeyRing:
    """Return the service's key ring (submissions always keeps one)."""
    assert service.keyring is not None
    return service.keyring


def subjects(service: Submissions, find: str = "") -> list[dict[str, Any]]:
    """Return the people the filings name, newest first; ``find`` matches a name, e-mail or phone."""
    with service.reader.connect() as conn:
        return keyring(service).subjects(conn, find)


def subject_access(service: Submissions, subject_id: str) -> dict[str, Any]:
    """Return everything the service holds about one person: their fields and every event naming them."""
    ring = keyring(service)
    with service.reader.connect() as conn:
        profile = ring.profile(conn, subject_id)
        if profile is None:
            raise NotFound(f"no person with id {subject_id}", {"subject_id": subject_id})
        naming = conn.execute(
            events.select()
            .where(sa.cast(events.c.data, sa.Text).like(f"%{PREFIX}{subject_id}:%"))
            .order_by(events.c.position)
        ).mappings()
        records = [
            {
                "event_id": row["event_id"],
                "type": row["type"],
                "stream_id": row["stream_id"],
                "recorded_at": row["recorded_at"].isoformat(),
                "data": ring.opened(conn, row["data"]),
            }
            for row in naming
        ]
    return {**profile, "events": records}


def erase(service: Submissions, subject_id: str, reason: str, context: Context) -> dict[str, Any]:
    """Destroy a person's key and record PersonalDataErased; 409 when they were erased already."""
    ring = keyring(service)
    now = service.clock()
    with service.transaction() as conn:
        profile = ring.profile(conn, subject_id)
        if profile is None:
            raise NotFound(f"no person with id {subject_id}", {"subject_id": subject_id})
        if not ring.erase(conn, subject_id, reason, now):
            raise Conflict(
                "this person's data was erased already", {"subject_id": subject_id}, "already_erased"
            )
        data = {"subject_id": subject_id, "kind": profile["kind"], "reason": reason, "erased_at": now}
        service.record(conn, f"personal-{subject_id}", [NewEvent("PersonalDataErased", data)], context)
        return ring.profile(conn, subject_id) or {}


RETENTION = Context(actor="system:retention")
RETENTION_REASON = "Hết thời hạn lưu trữ dữ liệu cá nhân theo quy định của năm thi đua"


def apply_retention(service: Submissions) -> int:
    """Erase every person whose data the campaigns' retention rule no longer keeps; return how many."""
    erased = 0
    for subject_id in past_retention(service):
        try:
            erase(service, subject_id, RETENTION_REASON, RETENTION)
        except Conflict:  # another watcher erased them meanwhile
            continue
        erased += 1
    return erased


def open_tokens(service: Submissions, tokens: list[str]) -> dict[str, str]:
    """Return the clear text of sealed values for another service (erased people read as erased)."""
    with service.reader.connect() as conn:
        return keyring(service).open_tokens(conn, tokens)


def past_retention(service: Submissions) -> list[str]:
    """Return the people not named since a year whose campaign's retention has run out (not erased yet).

    A person last named in year Y is due once ``retention.personal_data_years`` of Y's campaign have
    passed since 31 December of Y; a year without a campaign here keeps its people.
    """
    today = service.clock().date()
    with service.reader.connect() as conn:
        kept = {
            year: (content.get("retention") or {}).get("personal_data_years")
            for year, content in conn.execute(sa.select(campaigns.c.year, campaigns.c.content))
        }
        rows = conn.execute(
            sa.select(personal_keys.c.subject_id, personal_keys.c.context).where(
                personal_keys.c.erased_at.is_(None)
            )
        ).all()
    due = []
    for subject_id, context in rows:
        seen = [s["year"] for s in context.get("seen", []) if isinstance(s.get("year"), int)]
        years = kept.get(max(seen)) if seen else None
        if isinstance(years, int) and today > date(max(seen) + years, 12, 31):
            due.append(subject_id)
    return due

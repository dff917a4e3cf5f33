"""Recipients and notices: who is told what, each notice at most once (its key is unique)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.notifications.domain.notices import ACADEMY, ACADEMY_INBOX, Recipients
from services.notifications.tables import clusters, heads, members, notices, officers, schools
from shared.personal import subject_of


def school_recipients(conn: sa.Connection, year: int, school_id: str) -> Recipients:
    """Return a school's inbox and its emulation officers (Form 03) of the year."""
    emails = tuple(
        sorted(
            conn.execute(
                sa.select(officers.c.email).where(
                    (officers.c.year == year) & (officers.c.school_id == school_id)
                )
            ).scalars()
        )
    )
    return Recipients(f"school:{school_id}", emails, school_name(conn, school_id))


def cluster_recipients(conn: sa.Connection, year: int, cluster_id: str) -> Recipients:
    """Return a cluster's inbox and the officers of its head school."""
    head = conn.execute(sa.select(heads.c.head_school_id).where(heads.c.cluster_id == cluster_id)).scalar()
    emails = school_recipients(conn, year, head).emails if head else ()
    return Recipients(
        f"cluster:{cluster_id}", emails, f"Cụm trưởng ({school_name(conn, head)})" if head else cluster_id
    )


def filer_recipients(conn: sa.Connection, year: int, filer_type: str, filer_id: str) -> Recipients:
    """Return the recipients of a school's or a cluster's notices."""
    if filer_type == "school":
        return school_recipients(conn, year, filer_id)
    return cluster_recipients(conn, year, filer_id)


def academy_recipients(mailbox: str) -> Recipients:
    """Return the Academy's inbox and mailbox."""
    return Recipients(ACADEMY_INBOX, (mailbox,), ACADEMY.name)


def school_name(conn: sa.Connection, school_id: str | None) -> str:
    """Return a school's name, or its id when unknown."""
    name = conn.execute(sa.select(schools.c.name).where(schools.c.school_id == school_id)).scalar()
    return name or str(school_id)


def cluster_name(conn: sa.Connection, cluster_id: str) -> str:
    """Return a cluster's name ("cụm" while its formation has not been read yet)."""
    found = conn.execute(sa.select(clusters.c.name).where(clusters.c.cluster_id == cluster_id)).scalar()
    return str(found) if found else "cụm"


def cluster_of(conn: sa.Connection, year: int, school_id: str) -> str | None:
    """Return a school's cluster in a year."""
    query = sa.select(members.c.cluster_id).where(
        (members.c.year == year) & (members.c.school_id == school_id)
    )
    return conn.execute(query).scalar()


def add_notice(
    conn: sa.Connection, key: str, kind: str, to: Recipients, subject: str, body: str, now: datetime
) -> int:
    """Add a notice to an inbox and each e-mail address unless one of that key exists; return how many."""
    rows: list[dict[str, Any]] = [
        {
            "notice_key": f"{key}|inbox:{to.inbox}",
            "recipient": to.inbox,
            "inbox": to.inbox,
            "email_status": "none",
        },
        *(
            {
                "notice_key": f"{key}|mail:{subject_of(email) or email}",
                "recipient": email,
                "inbox": "",
                "email_status": "pending",
            }
            for email in to.emails
        ),
    ]
    keys = [r["notice_key"] for r in rows]
    existing = set(
        conn.execute(sa.select(notices.c.notice_key).where(notices.c.notice_key.in_(keys))).scalars()
    )
    fresh = [
        {
            **r,
            "kind": kind,
            "subject": subject,
            "body": body,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for r in rows
        if r["notice_key"] not in existing
    ]
    if fresh:
        conn.execute(notices.insert(), fresh)
    return len(fresh)

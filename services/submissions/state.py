"""The filings' state tables as a function of submissions' own events: one apply per event type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from services.submissions.forms import FORMS
from services.submissions.tables import confirmations, eligibility, exemptions, missed, submissions
from shared.envelope import Envelope

Apply = Callable[[sa.Connection, dict[str, Any], int], None]
FILING_EVENTS = {spec.event for spec in FORMS.values()}


def filed(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Add a filing."""
    conn.execute(
        submissions.insert().values(
            submission_id=data["submission_id"],
            year=data["year"],
            form=data["form"],
            filer_type=data["filer_type"],
            filer_id=data["filer_id"],
            cluster_id=data["cluster_id"],
            deadline_code=data["deadline_code"],
            due=date.fromisoformat(data["due"]) if data["due"] else None,
            filed_at=datetime.fromisoformat(data["filed_at"]),
            on_time=data["on_time"],
            amendments=0,
            reopened=False,
            payload=data["payload"],
            documents=data["documents"],
            version=version,
        )
    )


def amended(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Replace a filing's content; it is no longer open for another late amendment."""
    conn.execute(
        submissions.update()
        .where(submissions.c.submission_id == data["submission_id"])
        .values(
            payload=data["payload"],
            documents=data["documents"],
            amendments=data["amendment"],
            reopened=False,
            version=version,
        )
    )


def reopened(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Open a filing for one amendment after its deadline."""
    conn.execute(
        submissions.update()
        .where(submissions.c.submission_id == data["submission_id"])
        .values(reopened=True, version=version)
    )


def deadline_missed(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Remember the miss."""
    conn.execute(
        missed.insert().values(
            year=data["year"], deadline_code=data["deadline_code"], filer_id=data["filer_id"]
        )
    )


def declared_ineligible(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Mark the school not rated this year."""
    _eligibility(conn, data["year"], data["school_id"], False, data["reason"])


def eligibility_restored(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Mark the school rated again."""
    _eligibility(conn, data["year"], data["school_id"], True, data["reason"])


def exempted(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Record the exemption."""
    conn.execute(exemptions.insert().values(**data))


def confirmed(conn: sa.Connection, data: dict[str, Any], version: int) -> None:
    """Record a confirmed Form 09 copy."""
    conn.execute(
        confirmations.insert().values(
            year=data["year"],
            school_id=data["school_id"],
            copy=data["copy"],
            confirmed_by=data["confirmed_by"],
        )
    )


def _eligibility(conn: sa.Connection, year: int, school_id: str, eligible: bool, reason: str) -> None:
    where = (eligibility.c.year == year) & (eligibility.c.school_id == school_id)
    if conn.execute(eligibility.update().where(where).values(eligible=eligible, reason=reason)).rowcount == 0:
        conn.execute(
            eligibility.insert().values(year=year, school_id=school_id, eligible=eligible, reason=reason)
        )


APPLY: dict[str, Apply] = {
    **dict.fromkeys(FILING_EVENTS, filed),
    "SubmissionAmended": amended,
    "SubmissionReopened": reopened,
    "DeadlineMissed": deadline_missed,
    "SchoolDeclaredIneligible": declared_ineligible,
    "EligibilityRestored": eligibility_restored,
    "FilingExempted": exempted,
    "AchievementReportConfirmed": confirmed,
}


def apply(conn: sa.Connection, events: list[Envelope]) -> None:
    """Apply freshly appended events to the state tables."""
    for event in events:
        APPLY[event.type](conn, dict(event.data), event.stream_version)

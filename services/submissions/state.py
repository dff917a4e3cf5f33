"""The filings' state tables as a function of submissions' own events: one apply per event type."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from services.forms import FORMS, filing_events
from services.submissions.tables import (
    confirmations,
    eligibility,
    exemptions,
    missed,
    one_off_filings,
    submissions,
)
from shared.envelope import Envelope
from shared.handlers import Handlers
from shared.service import State

HANDLERS: Handlers[None] = Handlers("submissions-state")


@HANDLERS.on(*filing_events())
def filed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add a filing; a one-off form's also as the filer's one filing of it (a second one fails here)."""
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
            version=event.stream_version,
        )
    )
    form = FORMS.get(data["form"])
    if form is not None and not form.repeatable:
        conn.execute(
            one_off_filings.insert().values(
                year=data["year"],
                form=data["form"],
                filer_id=data["filer_id"],
                submission_id=data["submission_id"],
            )
        )


@HANDLERS.on("SubmissionAmended")
def amended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Replace a filing's content and stamp; no longer open for a late amendment, it awaits review again."""
    conn.execute(
        submissions.update()
        .where(submissions.c.submission_id == data["submission_id"])
        .values(
            payload=data["payload"],
            documents=data["documents"],
            amendments=data["amendment"],
            on_time=data["on_time"],
            reopened=False,
            review_state="pending",
            version=event.stream_version,
        )
    )


@HANDLERS.on("FilingAccepted", "FilingReturned")
def reviewed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Record the reviewer's decision: accepted, or returned with its reason."""
    conn.execute(
        submissions.update()
        .where(submissions.c.submission_id == data["submission_id"])
        .values(
            review_state="accepted" if event.type == "FilingAccepted" else "returned",
            review_reason=data.get("reason"),
            reviewed_at=datetime.fromisoformat(data["reviewed_at"]),
            reviewer=data["reviewer"],
            version=event.stream_version,
        )
    )


@HANDLERS.on("SubmissionReopened")
def reopened(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Open a filing for one amendment after its deadline."""
    conn.execute(
        submissions.update()
        .where(submissions.c.submission_id == data["submission_id"])
        .values(reopened=True, version=event.stream_version)
    )


@HANDLERS.on("DeadlineMissed")
def deadline_missed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Remember the miss."""
    conn.execute(
        missed.insert().values(
            year=data["year"], deadline_code=data["deadline_code"], filer_id=data["filer_id"]
        )
    )


@HANDLERS.on("SchoolDeclaredIneligible")
def declared_ineligible(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Mark the school not rated this year."""
    _eligibility(conn, data["year"], data["school_id"], False, data["reason"])


@HANDLERS.on("EligibilityRestored")
def eligibility_restored(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Mark the school rated again."""
    _eligibility(conn, data["year"], data["school_id"], True, data["reason"])


@HANDLERS.on("FilingExempted")
def exempted(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Record the exemption."""
    conn.execute(exemptions.insert().values(**data))


@HANDLERS.on("AchievementReportConfirmed")
def confirmed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Record a confirmed Form 09 copy."""
    conn.execute(
        confirmations.insert().values(
            year=data["year"],
            school_id=data["school_id"],
            copy=data["copy"],
            confirmed_by=data["confirmed_by"],
        )
    )


@HANDLERS.on("AchievementReportConfirmationVoided")
def confirmation_voided(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Free the place of a confirmation voided by the Academy."""
    conn.execute(
        confirmations.delete().where(
            (confirmations.c.year == data["year"])
            & (confirmations.c.school_id == data["school_id"])
            & (confirmations.c.copy == data["copy"])
        )
    )


def _eligibility(conn: sa.Connection, year: int, school_id: str, eligible: bool, reason: str) -> None:
    where = (eligibility.c.year == year) & (eligibility.c.school_id == school_id)
    if conn.execute(eligibility.update().where(where).values(eligible=eligible, reason=reason)).rowcount == 0:
        conn.execute(
            eligibility.insert().values(year=year, school_id=school_id, eligible=eligible, reason=reason)
        )


STATE = State(HANDLERS, (submissions, one_off_filings, missed, exemptions, eligibility, confirmations))
"""The state tables the submissions decides from, kept in the transaction of each append, rebuildable."""

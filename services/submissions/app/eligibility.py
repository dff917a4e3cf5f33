"""The Academy's decisions on a year's obligations: restoring eligibility, exempting a filing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.submissions.app import lookups, visibility
from services.submissions.service import Submissions
from services.submissions.tables import eligibility, exemptions, members
from shared.auth import Principal
from shared.errors import Conflict, RuleBroken
from shared.eventstore import Context, NewEvent
from shared.unit_of_work import UnitOfWork


def restore_eligibility(
    service: UnitOfWork, year: int, school_id: str, reason: str, context: Context
) -> dict[str, Any]:
    """Make an ineligible school rated again this year, with a reason."""
    with service.transaction() as conn:
        lookups.campaign(conn, year)
        lookups.school(conn, school_id)
        row = (
            conn.execute(
                eligibility.select().where(
                    (eligibility.c.year == year) & (eligibility.c.school_id == school_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None or row["eligible"]:
            raise Conflict(
                f"school {school_id} is not ineligible in {year}", {"school_id": school_id}, "not_ineligible"
            )
        event = NewEvent("EligibilityRestored", {"year": year, "school_id": school_id, "reason": reason})
        service.record(conn, f"eligibility-{year}-{school_id}", [event], context)
        return {"year": year, "school_id": school_id, "eligible": True, "reason": reason}


def exempt_filing(
    service: UnitOfWork, year: int, deadline_code: str, filer_id: str, reason: str, context: Context
) -> dict[str, Any]:
    """Exempt a school or cluster from one required filing of the year."""
    with service.transaction() as conn:
        campaign = lookups.campaign(conn, year)
        if deadline_code not in {d["code"] for d in campaign["deadlines"]}:
            raise RuleBroken(
                f"no deadline {deadline_code} in {year}", {"deadline_code": deadline_code}, "unknown_deadline"
            )
        exists = conn.execute(
            sa.select(exemptions.c.filer_id).where(
                (exemptions.c.year == year)
                & (exemptions.c.deadline_code == deadline_code)
                & (exemptions.c.filer_id == filer_id)
            )
        ).first()
        if exists:
            raise Conflict("this filing is already exempted", {"filer_id": filer_id}, "already_exempt")
        data = {"year": year, "deadline_code": deadline_code, "filer_id": filer_id, "reason": reason}
        service.record(
            conn,
            f"exemption-{year}-{deadline_code}-{filer_id}",
            [NewEvent("FilingExempted", data)],
            context,
            0,
        )
        return data


def eligibility_of(service: Submissions, principal: Principal, year: int) -> list[dict[str, Any]]:
    """Return the schools the caller reads whose eligibility was decided this year."""
    with service.reader.connect() as conn:
        lookups.campaign(conn, year)
        scope = visibility.scope(conn, principal)
        rows = conn.execute(
            eligibility.select().where(eligibility.c.year == year).order_by(eligibility.c.school_id)
        ).mappings()
        if scope.everything:
            return [dict(r) for r in rows]
        clusters = dict(
            conn.execute(
                sa.select(members.c.school_id, members.c.cluster_id).where(members.c.year == year)
            ).all()
        )
        return [dict(r) for r in rows if scope.school(r["school_id"], clusters.get(r["school_id"]))]

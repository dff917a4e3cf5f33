"""Review of filings by the level that receives them: accept, or return for completion with a reason.

A filing starts awaiting review (chờ duyệt). Its reviewer accepts it (đã duyệt) or returns it (trả lại)
with a reason; a returned filing must be amended, after which it awaits review again. A correction keeps
the filing's stamp when it comes within the campaign's ``review.correction_days`` of the return, and is
late otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from shared.errors import Conflict, RuleBroken
from shared.eventstore import NewEvent
from shared.time import local_date

PENDING, ACCEPTED, RETURNED = "pending", "accepted", "returned"
REVIEW_STATES = (PENDING, ACCEPTED, RETURNED)
DECISIONS = ("accept", "return")
DEFAULT_CORRECTION_DAYS = 10


def review(filing: Mapping[str, Any], decision: str, reason: str, reviewer: str, now: datetime) -> NewEvent:
    """Decide FilingAccepted or FilingReturned for a filing awaiting review."""
    state = filing["review_state"]
    if state != PENDING:
        raise Conflict(
            f"filing {filing['submission_id']} is {state}, not awaiting review",
            {"submission_id": filing["submission_id"], "review_state": state},
            "not_awaiting_review",
        )
    if decision not in DECISIONS:
        raise RuleBroken(
            f"a decision is one of {', '.join(DECISIONS)}", {"decision": decision}, "bad_decision"
        )
    if decision == "return" and not reason.strip():
        raise RuleBroken("a filing is returned with a reason", {"reason": reason}, "reason_required")
    data = {
        **{k: filing[k] for k in ("submission_id", "year", "form", "filer_type", "filer_id", "cluster_id")},
        "reviewer": reviewer,
        "reviewed_at": now.isoformat(),
    }
    if decision == "accept":
        return NewEvent("FilingAccepted", data)
    return NewEvent("FilingReturned", {**data, "reason": reason.strip()})


RETURNED_UNAMENDED_FILED, RETURNED_UNAMENDED_MISSING = "filed", "missing"


def returned_unamended(campaign: Mapping[str, Any]) -> str:
    """Return what a returned filing never corrected is: ``filed`` (the default) or ``missing``."""
    return str((campaign.get("review") or {}).get("returned_unamended", RETURNED_UNAMENDED_FILED))


def correct_by(filing: Mapping[str, Any], due: date | None, campaign: Mapping[str, Any]) -> date | None:
    """Return the last day a returned filing may be corrected on: its due date, or the end of its
    correction days if those end later; None for a filing not returned."""
    if filing["review_state"] != RETURNED or filing["reviewed_at"] is None:
        return None
    days = (campaign.get("review") or {}).get("correction_days", DEFAULT_CORRECTION_DAYS)
    window = local_date(filing["reviewed_at"]) + timedelta(days=days)
    return max(window, due) if due else window


def lapsed(filing: Mapping[str, Any], due: date | None, campaign: Mapping[str, Any], today: date) -> bool:
    """Return whether a returned filing was not corrected in time (by ``correct_by``)."""
    last = correct_by(filing, due, campaign)
    return last is not None and today > last


def corrected_stamp(
    on_time: bool | None, returned_at: datetime, corrected_at: datetime, campaign: Mapping[str, Any]
) -> bool | None:
    """Return the stamp of a returned filing once corrected: kept within the campaign's days, else late."""
    days = (campaign.get("review") or {}).get("correction_days", DEFAULT_CORRECTION_DAYS)
    if local_date(corrected_at) <= local_date(returned_at) + timedelta(days=days):
        return on_time
    return False

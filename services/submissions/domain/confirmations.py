"""Form 09 confirmations: who may vouch for a school's achievement report, and how a wrong one is voided.

A provincial committee's (or ministry's) system vouches only for the schools it answers for: the school
whose registry code is the system's code, or a school merged (directly or through a chain of mergers)
into one of that code. It vouches only in a year the school takes part in (a member of a cluster that
year). Each copy (1 or 2) is confirmed once; a confirmation recorded in error is voided by the Academy
with a reason, which frees its place for the rightful one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.errors import NotFound, RuleBroken
from shared.eventstore import NewEvent


class NotKnownYet(Exception):
    """The registry view does not know the school or the year yet (it may be behind): try again."""


@dataclass(frozen=True)
class Standing:
    """What a confirmation is decided against, as the registry view and the state know it."""

    school_chain: Sequence[Mapping[str, Any]]
    """The school, then its successor, then that one's successor, …; empty when the school is unknown."""
    year_known: bool
    takes_part: bool
    confirmed_by: str | None
    """The system whose confirmation of this copy stands, if one does."""


def answering_systems(school_chain: Sequence[Mapping[str, Any]]) -> set[str]:
    """Return the codes of the systems that answer for a school: its own, and its successors'."""
    return {s["code"] for s in school_chain if s.get("code")}


def confirm(system: str, data: Mapping[str, Any], standing: Standing) -> list[NewEvent]:
    """Decide the AchievementReportConfirmed a system's confirmation records (none if it stands already)."""
    school_id, year = data["school_id"], data["year"]
    if not standing.school_chain or not standing.year_known:
        raise NotKnownYet(f"the registry view knows no school {school_id} in a campaign of {year}")
    if system not in answering_systems(standing.school_chain):
        raise RuleBroken(
            f"{system} does not answer for school {school_id}",
            {"school_id": school_id, "confirmed_by": system},
            "not_its_school",
        )
    if not standing.takes_part:
        raise RuleBroken(
            f"school {school_id} takes no part in {year}",
            {"school_id": school_id, "year": year},
            "not_in_year",
        )
    if standing.confirmed_by is not None:
        return []
    return [NewEvent("AchievementReportConfirmed", dict(data))]


def void(year: int, school_id: str, copy: int, reason: str, confirmed_by: str | None) -> NewEvent:
    """Decide AchievementReportConfirmationVoided for a confirmation that stands, with a reason."""
    if confirmed_by is None:
        raise NotFound(
            f"no confirmation of copy {copy} of school {school_id} stands in {year}",
            {"year": year, "school_id": school_id, "copy": copy},
        )
    if not reason.strip():
        raise RuleBroken("a confirmation is voided with a reason", {"reason": reason}, "reason_required")
    return NewEvent(
        "AchievementReportConfirmationVoided",
        {"year": year, "school_id": school_id, "copy": copy, "confirmed_by": confirmed_by, "reason": reason},
    )

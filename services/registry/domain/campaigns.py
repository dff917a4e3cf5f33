"""Campaigns per year: the rules a campaign's data must keep, amendments and deadline extensions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from services.vocabulary import day_of, due_for
from shared.errors import Conflict, RuleBroken
from shared.eventstore import NewEvent
from shared.time import local_date


def campaign_stream(year: int) -> str:
    """Return the stream id of a year's campaign."""
    return f"campaign-{year}"


def check_content(content: Mapping[str, Any]) -> None:
    """Refuse a campaign whose deadlines, targets or score sheets do not hold together."""
    year = content["year"]
    deadlines = content["deadlines"]
    codes = [d["code"] for d in deadlines]
    if len(set(codes)) != len(codes):
        raise RuleBroken("deadline codes must be unique", {"deadlines": codes}, "duplicate_deadline")
    outside = [d["code"] for d in deadlines if _due(d).year != year]
    if outside:
        raise RuleBroken(
            f"deadlines must fall within {year}", {"deadlines": outside}, "deadline_outside_year"
        )
    dues = [_due(d) for d in deadlines]
    if dues != sorted(dues):
        raise RuleBroken(
            "deadlines must be listed in date order", {"deadlines": codes}, "deadlines_out_of_order"
        )
    for target in content["targets"]:
        low, high = target.get("minimum"), target.get("maximum")
        exclusive = target.get("minimum_exclusive") or target.get("maximum_exclusive")
        if low is not None and high is not None and (low > high or (low == high and exclusive)):
            raise RuleBroken(
                "a target's minimum exceeds its maximum", {"target": target["code"]}, "bad_target"
            )
    kinds = [sheet["school_kind"] for sheet in content["score_sheets"]]
    if len(set(kinds)) != len(kinds):
        raise RuleBroken("one score sheet per school kind", {"school_kinds": kinds}, "duplicate_score_sheet")
    for sheet in content["score_sheets"]:
        total = sum(item["max_points"] for group in sheet["groups"] for item in group["items"])
        if abs(total - sheet["total_max"]) > 1e-9:
            raise RuleBroken(
                f"the items of score sheet {sheet['form']} add up to {total:g}, not {sheet['total_max']:g}",
                {"form": sheet["form"]},
                "score_sheet_total",
            )


def open_campaign(content: dict[str, Any], now: datetime) -> NewEvent:
    """Decide CampaignOpened: no deadline before the day the campaign counts as opened.

    That day is ``opened_on`` (the day its letter was issued, for a year begun on paper before it was
    entered) or today; never a later one. Nothing can then be charged for a deadline that had passed before
    its year was opened. Extensions for single filers are not opened with: each is recorded on its own.
    """
    today = local_date(now)
    day = day_of(content.get("opened_on") or today)
    if day > today:
        raise RuleBroken(
            "a campaign cannot count as opened on a later day than today",
            {"opened_on": day.isoformat(), "today": today.isoformat()},
            "opened_in_future",
        )
    past = [d["code"] for d in content["deadlines"] if _due(d) < day]
    if past:
        raise RuleBroken(
            "a new campaign cannot have a deadline that has already passed",
            {"deadlines": past, "opened_on": day.isoformat()},
            "deadline_in_past",
        )
    check_content(content)
    deadlines = [{k: v for k, v in d.items() if k != "extended_for"} for d in content["deadlines"]]
    return NewEvent("CampaignOpened", {**content, "deadlines": deadlines, "opened_on": day.isoformat()})


def carried_into(
    previous: Mapping[str, Any], year: int, theme: str, legal_basis: str | None = None
) -> dict[str, Any]:
    """Return last year's campaign as a new year's: the same content, each deadline on the same day and
    month of the new year (29 February becomes the 28th), with the new theme and legal basis."""
    if year <= previous["year"]:
        raise RuleBroken(
            f"a campaign is carried into a later year than {previous['year']}",
            {"year": year, "from_year": previous["year"]},
            "not_a_later_year",
        )

    def moved(deadline: Mapping[str, Any]) -> dict[str, Any]:
        due = _due(deadline)
        day = 28 if (due.month, due.day) == (2, 29) else due.day
        kept = {k: v for k, v in deadline.items() if k != "extended_for"}
        return {**kept, "due": date(year, due.month, day).isoformat()}

    basis = previous.get("legal_basis", "") if legal_basis is None else legal_basis
    carried = {k: v for k, v in previous.items() if k != "opened_on"}
    carried = {**carried, "year": year, "theme": theme, "legal_basis": basis}
    return {**carried, "deadlines": [moved(d) for d in previous["deadlines"]]}


def amend(current: Mapping[str, Any], content: dict[str, Any], now: datetime) -> NewEvent:
    """Decide CampaignAmended: only until the campaign's first deadline has passed, never into the past."""
    if content["year"] != current["year"]:
        raise RuleBroken("a campaign's year cannot change", {"year": content["year"]})
    first = min(_due(d) for d in current["deadlines"])
    if local_date(now) > first:
        raise Conflict(
            f"the first deadline ({first.isoformat()}) has passed: extend a deadline instead",
            {"first_deadline": first.isoformat()},
            "campaign_locked",
        )
    today = local_date(now)
    past = [d["code"] for d in content["deadlines"] if _due(d) < today]
    if past:
        raise RuleBroken(
            "an amendment cannot put a deadline in the past",
            {"deadlines": past, "today": today.isoformat()},
            "deadline_in_past",
        )
    check_content(content)
    return NewEvent("CampaignAmended", _kept_through_amendment(current, content))


def _kept_through_amendment(current: Mapping[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """Return the amended content with what an amendment never changes: the day the campaign counts as
    opened, and single filers' extensions of the deadlines it keeps (whatever the body said of them)."""
    extended = {d["code"]: d["extended_for"] for d in current["deadlines"] if d.get("extended_for")}
    deadlines = [
        {k: v for k, v in d.items() if k != "extended_for"}
        | ({"extended_for": extended[d["code"]]} if d["code"] in extended else {})
        for d in content["deadlines"]
    ]
    opened = {"opened_on": current["opened_on"]} if current.get("opened_on") else {}
    return {**{k: v for k, v in content.items() if k != "opened_on"}, "deadlines": deadlines, **opened}


def extend_deadline(
    current: Mapping[str, Any], code: str, due: date, reason: str, filer_id: str | None = None
) -> NewEvent:
    """Decide DeadlineExtended: a later date in the same year, never an earlier one; for everyone, or for
    one filer (``filer_id``: a school, or a cluster for a cluster's deadline) whose own day it moves."""
    deadline = next((d for d in current["deadlines"] if d["code"] == code), None)
    if deadline is None:
        raise RuleBroken(
            f"no deadline {code} in {current['year']}", {"deadline_code": code}, "unknown_deadline"
        )
    previous = due_for(deadline, filer_id)
    if due <= previous:
        raise RuleBroken(
            "a deadline can only be extended, never shortened",
            {"due": due.isoformat(), "current_due": previous.isoformat()},
            "deadline_shortened",
        )
    if due.year != current["year"]:
        raise RuleBroken(
            f"deadlines must fall within {current['year']}", {"due": due.isoformat()}, "deadline_outside_year"
        )
    data = {
        "year": current["year"],
        "deadline_code": code,
        "previous_due": previous.isoformat(),
        "due": due.isoformat(),
        "reason": reason,
        **({"filer_id": filer_id} if filer_id else {}),
    }
    return NewEvent("DeadlineExtended", data)


def deadline_filer(current: Mapping[str, Any], code: str) -> str | None:
    """Return who files a deadline (``school`` or ``cluster_head``), None if the campaign has no such."""
    return next((d["filer"] for d in current["deadlines"] if d["code"] == code), None)


def _due(deadline: Mapping[str, Any]) -> date:
    return day_of(deadline["due"])

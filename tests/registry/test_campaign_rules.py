"""The campaign rules as a table of cases, on the domain module alone (no database, no HTTP)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from services.registry.domain.campaigns import amend, carried_into, extend_deadline, open_campaign
from services.registry.seed.campaign_2023 import campaign_2023
from services.vocabulary import due_for, with_deadline_extended
from shared.errors import Conflict, DomainError, RuleBroken

# 2023-03-01 10:00 in Vietnam; the first deadline (PLAN) is 2023-03-05.
NOW = datetime(2023, 3, 1, 3, 0, tzinfo=UTC)


def moved(code: str, due: str) -> dict[str, Any]:
    """Return the 2023 campaign with one deadline moved."""
    content = copy.deepcopy(campaign_2023())
    for deadline in content["deadlines"]:
        if deadline["code"] == code:
            deadline["due"] = due
    return content


@pytest.mark.parametrize(
    ("case", "content", "now", "refused"),
    [
        ("unchanged", moved("PLAN", "2023-03-05"), NOW, None),
        ("the first deadline later", moved("PLAN", "2023-03-10"), NOW, None),
        ("the first deadline to today", moved("PLAN", "2023-03-01"), NOW, None),
        ("the first deadline to yesterday", moved("PLAN", "2023-02-28"), NOW, RuleBroken),
        (
            "after the first deadline passed",
            moved("PLAN", "2023-03-10"),
            datetime(2023, 3, 6, tzinfo=UTC),
            Conflict,
        ),
        ("another year's dates", moved("SCORE_SHEET", "2024-01-05"), NOW, RuleBroken),
    ],
)
def test_an_amendment_follows_the_rules(
    case: str, content: dict[str, Any], now: datetime, refused: type[DomainError] | None
) -> None:
    current = campaign_2023()
    if refused is None:
        assert amend(current, content, now).type == "CampaignAmended", case
    else:
        with pytest.raises(refused):
            amend(current, content, now)


def test_a_deadline_moved_into_the_past_is_refused_with_its_code() -> None:
    with pytest.raises(RuleBroken) as refused:
        amend(campaign_2023(), moved("PLAN", "2023-02-20"), NOW)
    assert refused.value.code == "deadline_in_past"
    assert refused.value.details == {"deadlines": ["PLAN"], "today": "2023-03-01"}


@pytest.mark.parametrize(
    ("case", "opened_on", "now", "refused"),
    [
        ("on the letter's day, before every deadline", "2023-02-20", NOW, None),
        ("today, before every deadline", None, datetime(2023, 2, 25, tzinfo=UTC), None),
        ("today, after the first deadline", None, datetime(2023, 3, 6, 3, tzinfo=UTC), "deadline_in_past"),
        ("late in the next year, as proposed", None, datetime(2024, 12, 7, tzinfo=UTC), "deadline_in_past"),
        (
            "as of a day after the first deadline",
            "2023-03-06",
            datetime(2023, 4, 1, tzinfo=UTC),
            "deadline_in_past",
        ),
        ("as of a later day than today", "2023-03-02", NOW, "opened_in_future"),
    ],
)
def test_a_year_opens_only_before_its_deadlines(
    case: str, opened_on: str | None, now: datetime, refused: str | None
) -> None:
    content = {**campaign_2023(), "opened_on": opened_on}
    if refused is None:
        opened = open_campaign(content, now)
        assert opened.data["opened_on"] == (opened_on or "2023-02-25"), case
    else:
        with pytest.raises(RuleBroken) as error:
            open_campaign(content, now)
        assert error.value.code == refused, case


def test_opening_refused_for_a_past_day_names_every_past_deadline() -> None:
    with pytest.raises(RuleBroken) as refused:
        open_campaign({**campaign_2023(), "opened_on": None}, datetime(2023, 3, 16, tzinfo=UTC))
    assert refused.value.details == {
        "deadlines": ["PLAN", "CLUSTER_PLAN", "OFFICERS"],
        "opened_on": "2023-03-16",
    }


def _extended(content: dict[str, Any], code: str, due: str, filer_id: str | None = None) -> dict[str, Any]:
    event = extend_deadline(content, code, datetime.fromisoformat(due).date(), "Lý do", filer_id)
    return with_deadline_extended(content, event.data)


def test_an_extension_for_one_school_moves_its_day_only() -> None:
    content = _extended(campaign_2023(), "PLAN", "2023-03-20", "school-a")
    plan = next(d for d in content["deadlines"] if d["code"] == "PLAN")
    assert (due_for(plan, "school-a").isoformat(), due_for(plan, "school-b").isoformat()) == (
        "2023-03-20",
        "2023-03-05",
    )
    everyone = _extended(content, "PLAN", "2023-03-25")  # later for all: later than the school's too
    plan = next(d for d in everyone["deadlines"] if d["code"] == "PLAN")
    assert due_for(plan, "school-a").isoformat() == "2023-03-25"


@pytest.mark.parametrize(
    ("case", "due", "filer_id", "refused"),
    [
        ("later than its own day", "2023-03-25", "school-a", None),
        ("between everyone's day and its own", "2023-03-15", "school-a", "deadline_shortened"),
        ("another school, later than everyone's", "2023-03-15", "school-b", None),
        ("another school, before everyone's", "2023-03-04", "school-b", "deadline_shortened"),
        ("into the next year", "2024-01-05", "school-a", "deadline_outside_year"),
    ],
)
def test_a_school_s_extension_is_never_a_shortening(
    case: str, due: str, filer_id: str, refused: str | None
) -> None:
    content = _extended(campaign_2023(), "PLAN", "2023-03-20", "school-a")
    if refused is None:
        event = extend_deadline(content, "PLAN", datetime.fromisoformat(due).date(), "Lý do", filer_id)
        assert (event.data["filer_id"], event.data["due"]) == (filer_id, due), case
    else:
        with pytest.raises(RuleBroken) as error:
            extend_deadline(content, "PLAN", datetime.fromisoformat(due).date(), "Lý do", filer_id)
        assert error.value.code == refused, case


def test_an_amendment_keeps_the_opening_day_and_the_schools_extensions() -> None:
    current = {**_extended(campaign_2023(), "PLAN", "2023-03-20", "school-a"), "opened_on": "2023-02-20"}
    body = {**moved("OFFICERS", "2023-03-31"), "opened_on": "2023-01-01"}  # a body cannot change either
    amended = amend(current, body, NOW).data
    plan = next(d for d in amended["deadlines"] if d["code"] == "PLAN")
    assert (amended["opened_on"], plan["extended_for"]) == ("2023-02-20", {"school-a": "2023-03-20"})


def test_a_copy_into_the_next_year_carries_neither_the_opening_day_nor_extensions() -> None:
    current = {**_extended(campaign_2023(), "PLAN", "2023-03-20", "school-a"), "opened_on": "2023-02-20"}
    carried = carried_into(current, 2024, "Chủ đề")
    assert "opened_on" not in carried
    assert not any("extended_for" in d for d in carried["deadlines"])

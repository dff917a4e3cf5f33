"""The campaign rules as a table of cases, on the domain module alone (no database, no HTTP)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from services.registry.domain.campaigns import amend
from services.registry.seed.campaign_2023 import campaign_2023
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

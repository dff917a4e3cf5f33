"""Submissions' rules on the domain modules alone: deadlines in Vietnam time and content checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services.forms import FORMS
from services.submissions.domain.checks import check_form_for_kind, check_members, check_scores, schools_named
from services.submissions.domain.deadlines import answered_by, has_passed, on_time
from services.submissions.domain.obligations import missed, still_owing
from shared.errors import RuleBroken

PLAN = {"code": "PLAN", "forms": ["01"], "due": "2023-03-05"}
REPORT = {"code": "YEAR_END_REPORT", "forms": ["04"], "due": "2023-11-05"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2023-03-05T23:59:59+07:00", True),  # the last second of the due date in Vietnam
        ("2023-03-05T16:59:59+00:00", True),  # the same second, in UTC
        ("2023-03-05T17:00:00+00:00", False),  # midnight in Vietnam: the 6th
        ("2023-03-06T00:00:00+07:00", False),
        ("2023-01-02T08:00:00+07:00", True),
    ],
)
def test_a_filing_is_on_time_until_the_end_of_its_due_date_in_vietnam(moment: str, expected: bool) -> None:
    assert on_time(datetime.fromisoformat(moment), PLAN) is expected
    assert has_passed(PLAN, datetime.fromisoformat(moment)) is not expected


@pytest.mark.parametrize(("form", "code"), [("01", "PLAN"), ("04", "YEAR_END_REPORT"), ("KIEM_TRA", None)])
def test_the_deadline_a_form_answers_is_the_campaigns(form: str, code: str | None) -> None:
    found = answered_by([PLAN, REPORT], form)
    assert (found["code"] if found else None) == code


TEMPLATE = {
    "groups": [{"items": [{"code": "A.1", "max_points": 10}, {"code": "A.2", "max_points": 20}]}],
    "bonus": [{"code": "B.1", "max_points": 5}],
}


@pytest.mark.parametrize(
    ("case", "scores", "bonus", "refusal"),
    [
        ("within the maxima", [("A.1", 10), ("A.2", 0)], False, None),
        ("above a maximum", [("A.1", 10.5)], False, "score_above_maximum"),
        ("an unknown criterion", [("C.9", 1)], False, "unknown_criterion"),
        ("a criterion twice", [("A.1", 1), ("A.1", 2)], False, "criterion_twice"),
        ("a bonus within its maximum", [("B.1", 5)], True, None),
        ("a bonus criterion among the main ones", [("B.1", 1)], False, "unknown_criterion"),
    ],
)
def test_a_score_sheet_is_checked_against_the_years_template(
    case: str, scores: list[tuple[str, float]], bonus: bool, refusal: str | None
) -> None:
    given = [{"criterion": c, "points": p} for c, p in scores]
    if refusal is None:
        check_scores(TEMPLATE, given, bonus)
        return
    with pytest.raises(RuleBroken) as refused:
        check_scores(TEMPLATE, given, bonus)
    assert refused.value.code == refusal, case


@pytest.mark.parametrize(
    ("form", "kind", "refused"),
    [
        ("5.1", "provincial", False),
        ("5.1", "ministry", True),
        ("5.2", "ministry", False),
        ("04", "ministry", False),
    ],
)
def test_a_score_sheet_is_for_one_kind_of_school(form: str, kind: str, refused: bool) -> None:
    if refused:
        with pytest.raises(RuleBroken) as wrong:
            check_form_for_kind(FORMS[form], kind)
        assert wrong.value.code == "wrong_form_for_school_kind"
    else:
        check_form_for_kind(FORMS[form], kind)


def test_named_schools_must_be_members_and_the_refusal_lists_the_outsiders() -> None:
    check_members(["a", "b"], ["a", "b", "c"], "officers")
    with pytest.raises(RuleBroken) as refused:
        check_members(["a", "z", "y", "z"], ["a"], "officers")
    assert refused.value.details == {"school_ids": ["y", "z"]}


@pytest.mark.parametrize(
    ("form", "payload", "named"),
    [
        ("03", {"officers": [{"school_id": "a"}, {"school_id": "b"}]}, ["a", "b"]),
        ("KIEM_TRA", {"inspected_school_id": "a", "inspecting_school_ids": ["b", "c"]}, ["a", "b", "c"]),
        (
            "HO_SO_CUM",
            {
                "nomination": {"head_school_id": "a", "deputy_school_ids": ["b"]},
                "ballots": [{"school_id": "c"}],
                "proposals_08": [{"school_id": "d"}],
            },
            ["a", "b", "c", "d"],
        ),
        ("01", {"anything": "else"}, []),
    ],
)
def test_the_schools_a_form_names_are_found_for_the_membership_check(
    form: str, payload: dict[str, Any], named: list[str]
) -> None:
    assert [s for _what, ids in schools_named(form, payload) for s in ids] == named


PLAN_RULE = {"code": "PLAN", "title": "Kế hoạch thi đua", "forms": ["01"], "due": "2023-03-05"}
FILERS = [("school", "a", "cl"), ("school", "b", "cl"), ("school", "c", "cl"), ("school", "d", "cl")]


@pytest.mark.parametrize(
    ("filed", "missed_already", "exempt", "owing"),
    [
        ([], [], [], ["a", "b", "c", "d"]),
        (["a"], ["b"], ["c"], ["d"]),
        (["a", "b", "c", "d"], [], [], []),
        ([], ["a", "b"], ["a"], ["c", "d"]),
    ],
)
def test_who_still_owes_a_filing(
    filed: list[str], missed_already: list[str], exempt: list[str], owing: list[str]
) -> None:
    assert [f[1] for f in still_owing(FILERS, filed, missed_already, exempt)] == owing


@pytest.mark.parametrize(
    ("consequence", "filer_type", "types"),
    [
        ("ineligible", "school", ["DeadlineMissed", "SchoolDeclaredIneligible"]),
        ("ineligible", "cluster", ["DeadlineMissed"]),  # a cluster is not rated: only the miss
        ("deduction", "school", ["DeadlineMissed"]),
        (None, "school", ["DeadlineMissed"]),  # a deadline without a stated consequence costs points
    ],
)
def test_what_a_missed_deadline_entails(consequence: str | None, filer_type: str, types: list[str]) -> None:
    rule = {**PLAN_RULE, **({"consequence": consequence} if consequence else {})}
    events = missed(2023, rule, (filer_type, "a", "cl"))
    assert [e.type for e in events] == types
    assert (
        events[0].data["consequence"] == (consequence or "deduction")
        and events[0].data["due"] == "2023-03-05"
    )
    if len(events) == 2:
        assert events[1].data["reason"] == "không gửi Kế hoạch thi đua trước hạn 2023-03-05"

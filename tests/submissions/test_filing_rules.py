"""Filing rules on the pure decisions alone: who may file, for whom, what, how often, until when, who reviews.

Each row is a command against a small year: cluster CL with schools A (provincial) and B (ministry),
plans due on 5 March 2023. No database and no clock: the snapshot is the whole world of a decision.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.submissions.domain.filings import FileForm, Snapshot, amend, file_form, may_amend, review_filing
from services.submissions.domain.review import correct_by
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Forbidden, Invalid, RuleBroken

BEFORE = datetime(2023, 3, 5, 16, 0, tzinfo=UTC)  # 23:00 on the 5th in Vietnam
AFTER = datetime(2023, 3, 5, 17, 0, tzinfo=UTC)  # midnight in Vietnam: the 6th
CAMPAIGN: dict[str, Any] = {
    "deadlines": [
        {"code": "PLAN", "forms": ["01"], "filer": "school", "due": "2023-03-05"},
        {"code": "OFFICERS", "forms": ["03"], "filer": "cluster_head", "due": "2023-03-05"},
    ],
    "score_sheets": [
        {
            "school_kind": "provincial",
            "groups": [{"items": [{"code": "A.1", "max_points": 10}]}],
            "bonus": [{"code": "B.1", "max_points": 2}],
        }
    ],
}
MEMBERS = {"A": "provincial", "B": "ministry"}
PLAN = {"summary": "Kế hoạch", "registered_titles": ["Cờ thi đua"]}
OFFICER = {"name": "Nguyễn Văn An", "position": "Phó Hiệu trưởng", "email": "an@a.vn", "phone": "0912345678"}
OFFICERS = {"officers": [{"school_id": "A", **OFFICER}]}

ACADEMY = Principal("academy", "academy_admin")
OFFICER_OF_A = Principal("a", "school_officer", "A")
OFFICER_OF_B = Principal("b", "school_officer", "B")
HEAD_OF_CL = Principal("head", "cluster_head", "CL")
HEAD_OF_OTHER = Principal("other", "cluster_head", "CL2")
VIEWER = Principal("yb", "provincial_viewer", "YENBAI")


def _snapshot(**overrides: Any) -> Snapshot:
    given: dict[str, Any] = {
        "campaign": CAMPAIGN,
        "now": BEFORE,
        "school": {"school_id": "A", "kind": "provincial"},
        "school_cluster": "CL",
        "cluster_known": True,
        "members": MEMBERS,
    }
    return Snapshot(**{**given, **overrides})


SCHOOL_PLAN = FileForm(2023, "01", PLAN, school_id="A")
CLUSTER_OFFICERS = FileForm(2023, "03", OFFICERS, cluster_id="CL")


@pytest.mark.parametrize(
    ("case", "who", "command", "snapshot", "refusal"),
    [
        ("a school files its own plan", OFFICER_OF_A, SCHOOL_PLAN, {}, None),
        ("the Academy files for any school", ACADEMY, SCHOOL_PLAN, {}, None),
        ("another school's officer", OFFICER_OF_B, SCHOOL_PLAN, {}, (Forbidden, "forbidden")),
        ("a cluster head files a school's form", HEAD_OF_CL, SCHOOL_PLAN, {}, (Forbidden, "forbidden")),
        ("a provincial viewer files", VIEWER, SCHOOL_PLAN, {}, (Forbidden, "forbidden")),
        ("an unknown form", OFFICER_OF_A, FileForm(2023, "99", PLAN, "A"), {}, (RuleBroken, "unknown_form")),
        ("no school named", OFFICER_OF_A, FileForm(2023, "01", PLAN), {}, (RuleBroken, "school_id_required")),
        ("an unknown school", ACADEMY, SCHOOL_PLAN, {"school": None}, (RuleBroken, "unknown_school")),
        (
            "a school in no cluster",
            OFFICER_OF_A,
            SCHOOL_PLAN,
            {"school_cluster": None},
            "school_not_in_cluster",
        ),
        (
            "a school named with another cluster",
            OFFICER_OF_A,
            FileForm(2023, "01", PLAN, "A", "CL2"),
            {},
            (RuleBroken, "school_not_in_cluster"),
        ),
        ("a payload without its summary", OFFICER_OF_A, FileForm(2023, "01", {}, "A"), {}, (Invalid, None)),
        (
            "a one-off form filed twice",
            OFFICER_OF_A,
            SCHOOL_PLAN,
            {"existing": "sub_1"},
            "amendment_required",
        ),
        (
            "a ministry school's sheet from a provincial school",
            OFFICER_OF_A,
            FileForm(2023, "5.2", {"scores": [{"criterion": "A.1", "points": 1}]}, "A"),
            {},
            (RuleBroken, "wrong_form_for_school_kind"),
        ),
        (
            "a score above its maximum",
            OFFICER_OF_A,
            FileForm(2023, "5.1", {"scores": [{"criterion": "A.1", "points": 11}]}, "A"),
            {},
            (RuleBroken, "score_above_maximum"),
        ),
        ("a cluster head files for their cluster", HEAD_OF_CL, CLUSTER_OFFICERS, {}, None),
        ("a head of another cluster", HEAD_OF_OTHER, CLUSTER_OFFICERS, {}, (Forbidden, "forbidden")),
        (
            "no cluster named",
            HEAD_OF_CL,
            FileForm(2023, "03", OFFICERS),
            {},
            (RuleBroken, "cluster_id_required"),
        ),
        (
            "a cluster unknown that year",
            ACADEMY,
            CLUSTER_OFFICERS,
            {"cluster_known": False},
            "unknown_cluster",
        ),
        (
            "an officer of a school outside the cluster",
            HEAD_OF_CL,
            FileForm(2023, "03", {"officers": [{"school_id": "Z", **OFFICER}]}, cluster_id="CL"),
            {},
            (RuleBroken, "not_a_member"),
        ),
        (
            "a cross-inspection of oneself",
            HEAD_OF_CL,
            FileForm(
                2023,
                "KIEM_TRA",
                {
                    "inspected_school_id": "A",
                    "inspecting_school_ids": ["A"],
                    "cross_inspection": True,
                    "inspected_on": "2023-06-01",
                    "findings": "Tốt",
                },
                cluster_id="CL",
            ),
            {"existing": "sub_0"},
            (RuleBroken, "self_inspection"),
        ),
    ],
)
def test_who_may_file_what(
    case: str, who: Principal, command: FileForm, snapshot: dict[str, Any], refusal: Any
) -> None:
    if refusal is None:
        event = file_form(who, command, _snapshot(**snapshot), "sub_new")
        assert event.data["submission_id"] == "sub_new"
        assert event.data["filer_id"] == (command.school_id or command.cluster_id)
        return
    kind, code = refusal if isinstance(refusal, tuple) else (DomainError, refusal)
    with pytest.raises(kind) as refused:
        file_form(who, command, _snapshot(**snapshot), "sub_new")
    if code is not None:
        assert refused.value.code == code, case


@pytest.mark.parametrize(("now", "on_time"), [(BEFORE, True), (AFTER, False)])
def test_a_filing_is_stamped_against_its_deadline_in_vietnam(now: datetime, on_time: bool) -> None:
    event = file_form(OFFICER_OF_A, SCHOOL_PLAN, _snapshot(now=now), "sub_new")
    assert (event.type, event.data["deadline_code"], event.data["on_time"]) == (
        "PlanSubmitted",
        "PLAN",
        on_time,
    )
    assert event.data["payload"] == {**PLAN, "notes": ""}


def _filed(**overrides: Any) -> dict[str, Any]:
    filed = {
        "submission_id": "sub_1",
        "year": 2023,
        "form": "01",
        "filer_type": "school",
        "filer_id": "A",
        "cluster_id": "CL",
        "deadline_code": "PLAN",
        "due": datetime(2023, 3, 5).date(),
        "on_time": True,
        "review_state": "pending",
        "reviewed_at": None,
        "reopened": False,
        "amendments": 0,
    }
    return {**filed, **overrides}


@pytest.mark.parametrize(
    ("case", "filed", "now", "refusal", "stamp"),
    [
        ("before the deadline", {}, BEFORE, None, True),
        ("after the deadline", {}, AFTER, "deadline_passed", None),
        ("after the deadline, reopened", {"reopened": True}, AFTER, None, True),
        (
            "after the deadline, returned and corrected in time",
            {"review_state": "returned", "reviewed_at": BEFORE},
            AFTER,
            None,
            True,
        ),
        (
            "returned, and corrected after the correction days",
            {"review_state": "returned", "reviewed_at": datetime(2023, 2, 1, tzinfo=UTC)},
            AFTER,
            None,
            False,
        ),
    ],
)
def test_an_amendment_until_the_deadline_or_once_reopened_or_returned(
    case: str, filed: dict[str, Any], now: datetime, refusal: str | None, stamp: bool | None
) -> None:
    current = _filed(**filed)
    if refusal:
        with pytest.raises(Conflict) as refused:
            amend(OFFICER_OF_A, current, PLAN, _snapshot(now=now))
        assert refused.value.code == refusal
        return
    event = amend(OFFICER_OF_A, current, PLAN, _snapshot(now=now))
    assert (event.type, event.data["amendment"], event.data["on_time"]) == ("SubmissionAmended", 1, stamp), (
        case
    )


@pytest.mark.parametrize(
    ("case", "who", "form", "reviewer"),
    [
        ("the Academy reviews a plan (Form 01)", ACADEMY, "01", "academy"),
        ("the cluster head may not review a plan", HEAD_OF_CL, "01", None),
        ("the cluster head reviews a year-end report", HEAD_OF_CL, "04", "cluster:CL"),
        ("the head of another cluster may not", HEAD_OF_OTHER, "04", None),
        ("a school officer may not review", OFFICER_OF_A, "04", None),
        ("the Academy may always review", ACADEMY, "04", "academy"),
    ],
)
def test_a_filing_is_reviewed_by_the_level_that_receives_it(
    case: str, who: Principal, form: str, reviewer: str | None
) -> None:
    current = _filed(form=form)
    if reviewer is None:
        with pytest.raises(Forbidden):
            review_filing(who, current, "accept", "", BEFORE)
        return
    event = review_filing(who, current, "accept", "", BEFORE)
    assert (event.type, event.data["reviewer"]) == ("FilingAccepted", reviewer), case


@pytest.mark.parametrize(
    ("case", "state", "reopened", "today", "allowed"),
    [
        ("on the due day", "pending", False, date(2023, 11, 5), True),
        ("the day after", "pending", False, date(2023, 11, 6), False),
        ("the day after, accepted", "accepted", False, date(2023, 11, 6), False),
        ("the day after, reopened", "pending", True, date(2023, 11, 6), True),
        ("months after, returned for correction", "returned", False, date(2024, 2, 1), True),
    ],
)
def test_a_filing_may_be_amended_until_its_day_or_once_reopened_or_returned(
    case: str, state: str, reopened: bool, today: date, allowed: bool
) -> None:
    filing = {"review_state": state, "reopened": reopened}
    assert may_amend(filing, date(2023, 11, 5), today) is allowed, case
    assert may_amend(filing, None, today), "a form without a deadline may always be amended"


def test_a_returned_filing_is_corrected_by_its_due_day_or_the_end_of_its_correction_days() -> None:
    campaign = {"review": {"correction_days": 10}}
    returned = {"review_state": "returned", "reviewed_at": datetime(2023, 11, 1, 3, tzinfo=UTC)}
    assert correct_by(returned, date(2023, 11, 5), campaign) == date(2023, 11, 11)
    assert correct_by(returned, date(2023, 11, 30), campaign) == date(2023, 11, 30)
    assert correct_by({**returned, "review_state": "accepted"}, date(2023, 11, 5), campaign) is None

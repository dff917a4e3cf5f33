"""The filing use cases on the in-memory unit of work (fast tier): what each decision records, and what
it refuses with which error, with the 2023 registry in the view and the clock set by the test.

The HTTP API's tests (test_filings_api.py) keep one accepted and one refused request per rule family;
the rules themselves are proven here and, as plain functions, in test_filing_rules.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.submissions.app import filings
from services.submissions.app.work import InMemorySubmissions
from services.submissions.domain.filings import FileForm
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Forbidden, NotFound, RuleBroken
from shared.eventstore import Context
from tests.submissions.conftest import CLUSTER, HOA_BINH, JUSTICE, PHU_THO, plan, scores
from tests.submissions.fakes import at, register_school, submissions_2023

ACADEMY = Principal("an", "academy_admin")
HEAD = Principal("cum", "cluster_head", CLUSTER)
CONTEXT = Context(actor="test")


def officer(school: str) -> Principal:
    return Principal("can-bo", "school_officer", school)


@pytest.fixture
def uow() -> InMemorySubmissions:
    return submissions_2023()


def file(
    uow: InMemorySubmissions, form: str, payload: dict[str, Any], who: Principal, **to: Any
) -> dict[str, Any]:
    """File a form for 2023 through the use case."""
    return filings.file_form(uow, who, FileForm(year=2023, form=form, payload=payload, **to), CONTEXT)


def refused(call: Any) -> DomainError:
    """Return the error a use case refused with (and check that nothing was recorded by it)."""
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def types(uow: InMemorySubmissions) -> list[str]:
    return [event.type for event in uow.recorded]


def test_a_school_files_its_plan_on_time_and_the_event_is_recorded(uow: InMemorySubmissions) -> None:
    filing = file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    assert (filing["filer_id"], filing["cluster_id"]) == (HOA_BINH, CLUSTER)
    assert (filing["deadline_code"], filing["due"].isoformat(), filing["on_time"]) == (
        "PLAN",
        "2023-03-05",
        True,
    )
    assert types(uow) == ["PlanSubmitted"]
    assert uow.recorded[0].data["submission_id"] == filing["submission_id"]


def test_a_filing_after_the_end_of_the_due_day_in_vietnam_is_late(uow: InMemorySubmissions) -> None:
    at(uow, "2023-03-05T23:59:00+07:00")
    assert file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)["on_time"] is True
    at(uow, "2023-03-06T00:01:00+07:00")
    assert file(uow, "01", plan(), officer(PHU_THO), school_id=PHU_THO)["on_time"] is False


def test_who_may_file_for_a_school_or_a_cluster(uow: InMemorySubmissions) -> None:
    for who in (officer(PHU_THO), HEAD, Principal("x", "operator")):
        assert isinstance(
            refused(lambda who=who: file(uow, "01", plan(), who, school_id=HOA_BINH)), Forbidden
        )
    cluster_plan = {"purpose": "Mục đích", "contents": ["Nội dung"], "division_of_work": "Phân công"}
    for who in (officer(HOA_BINH), Principal("cum", "cluster_head", "cl_2023_bo_nganh")):
        assert isinstance(
            refused(lambda who=who: file(uow, "02", cluster_plan, who, cluster_id=CLUSTER)), Forbidden
        )
    file(uow, "02", cluster_plan, HEAD, cluster_id=CLUSTER)
    assert types(uow) == ["ClusterPlanFiled"]


def test_a_school_not_in_that_cluster_that_year_is_refused(uow: InMemorySubmissions) -> None:
    wrong = refused(
        lambda: file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH, cluster_id="cl_2023_bo_nganh")
    )
    assert (type(wrong), wrong.code) == (RuleBroken, "school_not_in_cluster")
    register_school(uow, "sch_phutho_2025", "Trường Chính trị tỉnh Phú Thọ")  # registered in 2025
    unknown = refused(lambda: file(uow, "01", plan(), ACADEMY, school_id="sch_phutho_2025"))
    assert unknown.code == "school_not_in_cluster"
    assert types(uow) == []


def test_scores_are_checked_against_the_years_template_and_the_schools_kind(uow: InMemorySubmissions) -> None:
    at(uow, "2023-11-01T10:00:00+07:00")
    hoa_binh = officer(HOA_BINH)
    above = refused(lambda: file(uow, "5.1", scores(**{"DOT_PHA.1": 16}), hoa_binh, school_id=HOA_BINH))
    assert (above.code, above.details["rule"]) == ("score_above_maximum", "score_sheets")
    assert refused(lambda: file(uow, "5.1", scores(**{"X.9": 1}), hoa_binh, school_id=HOA_BINH)).code == (
        "unknown_criterion"
    )
    assert refused(lambda: file(uow, "5.2", scores(), hoa_binh, school_id=HOA_BINH)).code == (
        "wrong_form_for_school_kind"
    )
    assert isinstance(
        refused(lambda: file(uow, "5.1", scores(), officer(JUSTICE), school_id=JUSTICE)), RuleBroken
    )
    file(uow, "5.2", scores(), officer(JUSTICE), school_id=JUSTICE)
    assert types(uow) == ["ScoreSheetSubmitted"]


def test_an_unknown_year_or_form_is_refused(uow: InMemorySubmissions) -> None:
    command = FileForm(year=2031, form="01", payload=plan(), school_id=HOA_BINH)
    assert isinstance(refused(lambda: filings.file_form(uow, ACADEMY, command, CONTEXT)), NotFound)
    assert refused(lambda: file(uow, "99", {}, ACADEMY, school_id=HOA_BINH)).code == "unknown_form"
    assert refused(lambda: file(uow, "01", plan(), officer(HOA_BINH))).code == "school_id_required"


def test_a_second_filing_of_a_one_off_form_is_a_conflict_naming_the_first(uow: InMemorySubmissions) -> None:
    first = file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    again = refused(lambda: file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH))
    assert isinstance(again, Conflict) and again.details == {"submission_id": first["submission_id"]}
    assert types(uow) == ["PlanSubmitted"]


def test_amendments_until_the_deadline_then_only_after_a_reopening(uow: InMemorySubmissions) -> None:
    filing = file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    sid = filing["submission_id"]

    def amend(summary: str, who: Principal | None = None) -> dict[str, Any]:
        by = who or officer(HOA_BINH)
        return filings.amend_filing(uow, by, sid, plan(summary=summary), (), None, CONTEXT)

    amended = amend("Bản sửa")
    assert (amended["amendments"], amended["payload"]["summary"]) == (1, "Bản sửa")
    assert isinstance(refused(lambda: amend("x", officer(PHU_THO))), Forbidden)
    at(uow, "2023-03-06T08:00:00+07:00")
    late = refused(lambda: amend("Quá hạn"))
    assert (type(late), late.code) == (Conflict, "deadline_passed")
    assert late.details["rule"] == "deadlines.PLAN"  # the refusal names the rule and where it comes from
    assert late.details["source"]["document"].startswith("Công văn số 3552-CV/HVCTQG")
    filings.reopen_filing(uow, sid, "Học viện cho phép bổ sung", CONTEXT)
    assert amend("Bổ sung")["amendments"] == 2
    assert isinstance(refused(lambda: amend("Lần nữa")), Conflict), "a reopening allows one amendment"
    assert types(uow) == ["PlanSubmitted", "SubmissionAmended", "SubmissionReopened", "SubmissionAmended"]


def test_a_cross_inspection_with_verified_scores(uow: InMemorySubmissions) -> None:
    minutes = {
        "inspected_school_id": HOA_BINH,
        "inspecting_school_ids": [PHU_THO],
        "cross_inspection": True,
        "inspected_on": "2023-06-15",
        "findings": "Thực hiện tốt",
        "verified_scores": [{"criterion": "DOT_PHA.1", "points": 12}],
    }
    file(uow, "KIEM_TRA", minutes, HEAD, cluster_id=CLUSTER)
    file(uow, "KIEM_TRA", {**minutes, "inspected_on": "2023-09-01"}, HEAD, cluster_id=CLUSTER)
    for changed, code in (
        ({"inspecting_school_ids": [HOA_BINH]}, "self_inspection"),
        ({"inspecting_school_ids": [JUSTICE]}, "not_a_member"),
        ({"verified_scores": [{"criterion": "DOT_PHA.1", "points": 99}]}, "score_above_maximum"),
    ):
        assert (
            refused(
                lambda changed=changed: file(
                    uow, "KIEM_TRA", {**minutes, **changed}, HEAD, cluster_id=CLUSTER
                )
            ).code
            == code
        )
    assert types(uow) == ["InspectionDone", "InspectionDone"]
    itself = refused(
        lambda: file(
            uow, "KIEM_TRA", {**minutes, "inspecting_school_ids": [HOA_BINH]}, HEAD, cluster_id=CLUSTER
        )
    )
    assert itself.details["source"]["document"].startswith("Hướng dẫn số 30-HD/HVCTQG")  # as the letter says


def test_a_returned_filing_names_its_reason_and_a_school_may_not_review(uow: InMemorySubmissions) -> None:
    sid = file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)["submission_id"]
    assert isinstance(
        refused(
            lambda: filings.review_filing(uow, officer(HOA_BINH), sid, "return", "Thiếu số liệu", CONTEXT)
        ),
        Forbidden,
    )
    filings.review_filing(uow, ACADEMY, sid, "return", "Thiếu số liệu", CONTEXT)
    assert types(uow)[-1] == "FilingReturned"
    assert uow.recorded[-1].data["reason"] == "Thiếu số liệu"


def test_a_one_off_form_filed_by_a_writer_that_missed_the_first_is_refused_at_its_insert(
    uow: InMemorySubmissions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica of an older release decides under the service's write lock, not the filer's, so it can
    decide before the first filing commits: the state's key still refuses the second (409, nothing kept)."""
    first = file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    monkeypatch.setattr(filings.lookups, "filed", lambda *_args: None)  # it did not see the first
    error = refused(lambda: file(uow, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH))
    assert isinstance(error, Conflict) and error.code == "amendment_required"
    assert types(uow) == ["PlanSubmitted"]
    assert uow.recorded[0].data["submission_id"] == first["submission_id"]
    inspection = {
        "inspected_school_id": PHU_THO,
        "inspecting_school_ids": [HOA_BINH],
        "cross_inspection": True,
        "inspected_on": "2023-03-02",
        "findings": "Đúng kế hoạch",
        "verified_scores": [],
    }
    for _ in range(2):  # an inspection's minutes are filed any number of times
        file(uow, "KIEM_TRA", inspection, HEAD, cluster_id=CLUSTER)
    assert types(uow) == ["PlanSubmitted", "InspectionDone", "InspectionDone"]

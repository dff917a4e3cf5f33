"""Review of filings: the receiving level accepts a filing or returns it with a reason; a returned
filing is corrected and reviewed again, its stamp kept only within the campaign's correction days."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.submissions.domain.review import corrected_stamp, review
from shared.errors import Conflict, RuleBroken
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    World,
    auth,
    figures,
    file,
    head,
    officer,
    plan,
)

RETURNED_AT = datetime(2023, 3, 10, 2, 0, tzinfo=UTC)  # 10 March, 09:00 in Vietnam
FILING = {
    "submission_id": "sub_1",
    "year": 2023,
    "form": "01",
    "filer_type": "school",
    "filer_id": "sch_a",
    "cluster_id": "cl",
}


@pytest.mark.parametrize(
    ("case", "state", "decision", "reason", "outcome"),
    [
        ("accepted", "pending", "accept", "", "FilingAccepted"),
        ("returned with its reason", "pending", "return", "Thiếu phụ lục", "FilingReturned"),
        ("returned without a reason", "pending", "return", "  ", RuleBroken),
        ("reviewed twice", "accepted", "accept", "", Conflict),
        ("returned and not yet corrected", "returned", "accept", "", Conflict),
        ("an unknown decision", "pending", "approve", "", RuleBroken),
    ],
)
def test_a_review_decision(case: str, state: str, decision: str, reason: str, outcome: Any) -> None:
    filing = {**FILING, "review_state": state}
    if isinstance(outcome, str):
        event = review(filing, decision, reason, "academy", RETURNED_AT)
        assert event.type == outcome, case
        assert event.data["reviewer"] == "academy" and event.data.get("reason", "") == reason.strip()
        return
    with pytest.raises(outcome):
        review(filing, decision, reason, "academy", RETURNED_AT)


@pytest.mark.parametrize(
    ("case", "original", "corrected_at", "days", "stamp"),
    [
        ("on the day it was returned", True, "2023-03-10T15:00:00+07:00", 10, True),
        ("on the last day allowed", True, "2023-03-20T23:59:00+07:00", 10, True),
        ("the day after", True, "2023-03-21T00:00:00+07:00", 10, False),
        ("late stays late", False, "2023-03-11T08:00:00+07:00", 10, False),
        ("no days allowed: the same day only", True, "2023-03-10T23:00:00+07:00", 0, True),
        ("no days allowed, a day later", True, "2023-03-11T08:00:00+07:00", 0, False),
    ],
)
def test_the_stamp_of_a_corrected_filing_follows_the_campaigns_rule(
    case: str, original: bool, corrected_at: str, days: int, stamp: bool
) -> None:
    campaign = {"review": {"correction_days": days}}
    assert corrected_stamp(original, RETURNED_AT, datetime.fromisoformat(corrected_at), campaign) is stamp, (
        case
    )


def test_the_academy_reviews_form_01_and_a_returned_plan_is_corrected_and_reviewed_again(
    world: World,
) -> None:
    filing = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    path = f"/filings/{filing['submission_id']}"
    assert filing["review_state"] == "pending"
    assert world.client.post(f"{path}/review", json={"decision": "accept"}, headers=head()).status_code == 403
    no_reason = world.client.post(f"{path}/review", json={"decision": "return"}, headers=auth())
    assert no_reason.status_code == 422 and no_reason.get_json()["error"]["code"] == "reason_required"

    world.at("2023-03-10T09:00:00+07:00")  # after the deadline of 5 March
    returned = world.client.post(
        f"{path}/review", json={"decision": "return", "reason": "Thiếu danh hiệu đăng ký"}, headers=auth()
    )
    assert returned.status_code == 200, returned.get_json()
    assert (returned.get_json()["review_state"], returned.get_json()["review_reason"]) == (
        "returned",
        "Thiếu danh hiệu đăng ký",
    )
    again = world.client.post(f"{path}/review", json={"decision": "accept"}, headers=auth())
    assert again.status_code == 409  # it must be corrected first
    board = world.client.get(
        f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth("operator")
    ).get_json()
    (row,) = [r for r in board["schools"] if r["school_id"] == HOA_BINH]
    assert (row["cells"]["PLAN"]["review"], row["cells"]["PLAN"]["review_reason"]) == (
        "returned",
        "Thiếu danh hiệu đăng ký",
    )

    world.at("2023-03-25T09:00:00+07:00")  # 15 days after the return: more than the 10 the campaign allows
    corrected = world.client.put(
        path, json={"payload": plan(summary="Đã bổ sung")}, headers=officer(HOA_BINH)
    )
    assert corrected.status_code == 200, corrected.get_json()
    assert (corrected.get_json()["review_state"], corrected.get_json()["on_time"]) == ("pending", False)
    accepted = world.client.post(f"{path}/review", json={"decision": "accept"}, headers=auth())
    assert accepted.get_json()["review_state"] == "accepted"
    history = world.client.get(f"{path}/history", headers=auth("operator")).get_json()
    assert [h["type"] for h in history] == [
        "PlanSubmitted",
        "FilingReturned",
        "SubmissionAmended",
        "FilingAccepted",
    ]


def test_the_cluster_head_reviews_its_schools_year_end_reports(world: World) -> None:
    world.at("2023-11-01T10:00:00+07:00")
    report = {"summary": "Tổng kết", "figures": figures()}
    filing = file(world, "04", report, officer(PHU_THO), school_id=PHU_THO).get_json()
    path = f"/filings/{filing['submission_id']}/review"
    other_head = world.client.post(path, json={"decision": "accept"}, headers=head("cl_2023_other"))
    assert other_head.status_code == 403
    returned = world.client.post(path, json={"decision": "return", "reason": "Thiếu số liệu"}, headers=head())
    assert returned.status_code == 200
    assert returned.get_json()["reviewer"] == f"cluster:{CLUSTER}"
    corrected = world.client.put(
        f"/filings/{filing['submission_id']}", json={"payload": report}, headers=officer(PHU_THO)
    )
    assert corrected.get_json()["on_time"] is True  # corrected on the day it was returned
    assert world.client.post(path, json={"decision": "accept"}, headers=head()).status_code == 200
    assert world.event_types()[-4:] == [
        "YearEndReportSubmitted",
        "FilingReturned",
        "SubmissionAmended",
        "FilingAccepted",
    ]


def test_a_review_of_an_unknown_filing_is_404_and_a_school_officer_may_not_review(world: World) -> None:
    assert (
        world.client.post("/filings/sub_nope/review", json={"decision": "accept"}, headers=auth()).status_code
        == 404
    )
    filing = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    path = f"/filings/{filing['submission_id']}/review"
    assert world.client.post(path, json={"decision": "accept"}, headers=officer(HOA_BINH)).status_code == 403
    assert world.client.post(path, json={"decision": "maybe"}, headers=auth()).status_code == 422


@pytest.mark.parametrize(
    ("rule", "status", "missed", "eligible"),
    [("filed", "on_time", False, True), ("missing", "missing", True, False)],
)
def test_a_returned_plan_never_corrected_is_what_the_campaigns_rule_says(
    world: World, rule: str, status: str, missed: bool, eligible: bool
) -> None:
    from services.registry.app.campaigns import amend_campaign, get_campaign
    from services.submissions.app.watcher import check_deadlines
    from shared.eventstore import Context

    world.registry.clock = lambda: datetime(2023, 3, 1, 3, 0, tzinfo=UTC)
    content = get_campaign(world.registry, 2023)["content"]
    content = {**content, "review": {**content["review"], "returned_unamended": rule}}
    amend_campaign(world.registry, 2023, content, None, Context(actor="test"))
    world.sync_registry()
    filing = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    world.at("2023-03-03T09:00:00+07:00")  # returned before the deadline of 5 March: 10 days to correct
    path = f"/filings/{filing['submission_id']}/review"
    world.client.post(path, json={"decision": "return", "reason": "Thiếu danh hiệu"}, headers=auth())
    world.at("2023-03-13T20:00:00+07:00")  # the last day to correct it: nothing lapsed yet
    assert check_deadlines(world.service) > 0  # the other schools' misses
    early = world.client.get(f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth()).get_json()
    assert {r["cells"]["PLAN"].get("returned_unamended") for r in early["schools"]} == {None}
    world.at("2023-03-14T08:00:00+07:00")  # never corrected
    check_deadlines(world.service)
    check_deadlines(world.service)  # a second run records nothing twice
    board = world.client.get(f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth()).get_json()
    (row,) = [r for r in board["schools"] if r["school_id"] == HOA_BINH]
    cell = row["cells"]["PLAN"]
    assert (cell["status"], cell["returned_unamended"], row["eligible"]) == (status, rule, eligible)
    with world.service.engine.connect() as conn:
        import sqlalchemy as sa

        from services.submissions.tables import events

        misses = (
            conn.execute(
                sa.select(events.c.data).where(
                    (events.c.type == "DeadlineMissed") & (events.c.stream_id.like(f"%{HOA_BINH}"))
                )
            )
            .scalars()
            .all()
        )
    assert [m["reason"] for m in misses] == (["returned_unamended"] if missed else [])


def test_each_reviewer_counts_what_waits_for_it_and_a_school_nothing(world: World) -> None:
    world.at("2023-11-01T10:00:00+07:00")
    report = file(
        world, "04", {"summary": "Tổng kết", "figures": figures()}, officer(PHU_THO), school_id=PHU_THO
    )
    file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)  # late, but the Academy's to receive
    counted = world.client.get("/filings/waiting", query_string={"year": 2023}, headers=head())
    assert counted.status_code == 200 and counted.get_json() == {"waiting": 1, "by_form": {"04": 1}}
    academy = world.client.get("/filings/waiting", query_string={"year": 2023}, headers=auth("academy_admin"))
    assert academy.get_json() == {"waiting": 1, "by_form": {"01": 1}}
    assert world.client.get("/filings/waiting", headers=head("cl_2023_other")).get_json()["waiting"] == 0
    assert world.client.get("/filings/waiting", headers=officer(PHU_THO)).get_json()["waiting"] == 0
    path = f"/filings/{report.get_json()['submission_id']}/review"
    world.client.post(path, json={"decision": "accept"}, headers=head())
    assert world.client.get("/filings/waiting", headers=head()).get_json()["waiting"] == 0
    pending = world.client.get(
        "/filings", query_string={"review_state": "pending"}, headers=auth("academy_admin")
    )
    assert [f["form"] for f in pending.get_json()] == ["01"]
    refused = world.client.get("/filings/waiting", query_string={"year": "x"}, headers=head())
    assert refused.status_code == 422 and "error" in refused.get_json()

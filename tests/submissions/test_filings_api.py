"""Filing forms through the HTTP API: roles, tenants, the year's data, duplicates, deadlines, amendments."""

from __future__ import annotations

from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    JUSTICE,
    PHU_THO,
    World,
    auth,
    figures,
    file,
    head,
    officer,
    plan,
    scores,
)


def test_a_school_files_its_plan_on_time_and_the_event_is_recorded(world: World) -> None:
    response = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    assert response.status_code == 201, response.get_json()
    filing = response.get_json()
    assert (filing["filer_id"], filing["cluster_id"]) == (HOA_BINH, CLUSTER)
    assert (filing["deadline_code"], filing["due"], filing["on_time"]) == ("PLAN", "2023-03-05", True)
    assert world.event_types() == ["PlanSubmitted"]


def test_a_filing_after_the_end_of_the_due_day_in_vietnam_is_late(world: World) -> None:
    world.at("2023-03-05T23:59:00+07:00")
    assert file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()["on_time"] is True
    world.at("2023-03-06T00:01:00+07:00")
    assert file(world, "01", plan(), officer(PHU_THO), school_id=PHU_THO).get_json()["on_time"] is False


def test_an_extended_deadline_is_the_one_in_force(world: World) -> None:
    world.at("2023-03-07T09:00:00+07:00")
    world.extend_deadline("PLAN", "2023-03-10")
    assert file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()["on_time"] is True


def test_a_school_officer_files_only_for_their_school_and_a_head_only_for_their_cluster(world: World) -> None:
    assert file(world, "01", plan(), officer(PHU_THO), school_id=HOA_BINH).status_code == 403
    assert file(world, "01", plan(), head(), school_id=HOA_BINH).status_code == 403
    assert file(world, "01", plan(), auth("operator"), school_id=HOA_BINH).status_code == 403
    cluster_plan = {"purpose": "Mục đích", "contents": ["Nội dung"], "division_of_work": "Phân công"}
    assert file(world, "02", cluster_plan, officer(HOA_BINH), cluster_id=CLUSTER).status_code == 403
    assert file(world, "02", cluster_plan, head("cl_2023_bo_nganh"), cluster_id=CLUSTER).status_code == 403
    assert file(world, "02", cluster_plan, head(), cluster_id=CLUSTER).status_code == 201
    assert world.event_types() == ["ClusterPlanFiled"]


def test_a_school_not_in_that_cluster_that_year_is_422(world: World) -> None:
    response = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH, cluster_id="cl_2023_bo_nganh")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "school_not_in_cluster"
    new_school = "sch_phutho_2025"  # registered in 2025: in no 2023 cluster
    assert (
        file(world, "01", plan(), auth(), school_id=new_school).get_json()["error"]["code"]
        == "school_not_in_cluster"
    )
    assert world.event_types() == []


def test_scores_are_checked_against_the_years_template_and_the_schools_kind(world: World) -> None:
    world.at("2023-11-01T10:00:00+07:00")
    too_many = file(world, "5.1", scores(**{"DOT_PHA.1": 16}), officer(HOA_BINH), school_id=HOA_BINH)
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "score_above_maximum"
    unknown = file(world, "5.1", scores(**{"X.9": 1}), officer(HOA_BINH), school_id=HOA_BINH)
    assert unknown.get_json()["error"]["code"] == "unknown_criterion"
    wrong_kind = file(world, "5.2", scores(), officer(HOA_BINH), school_id=HOA_BINH)
    assert wrong_kind.get_json()["error"]["code"] == "wrong_form_for_school_kind"
    assert file(world, "5.1", scores(), officer(JUSTICE), school_id=JUSTICE).status_code == 422
    assert file(world, "5.2", scores(), officer(JUSTICE), school_id=JUSTICE).status_code == 201
    assert world.event_types() == ["ScoreSheetSubmitted"]


def test_a_malformed_payload_names_the_field(world: World) -> None:
    response = file(
        world, "04", {"summary": "x", "figures": figures(staff=-1)}, officer(HOA_BINH), school_id=HOA_BINH
    )
    assert response.status_code == 422
    assert "staff" in response.get_json()["error"]["details"]["json"]["payload"]["figures"]
    assert file(world, "99", {}, auth(), school_id=HOA_BINH).get_json()["error"]["code"] == "unknown_form"
    assert file(world, "01", plan(), officer(HOA_BINH)).get_json()["error"]["code"] == "school_id_required"


def test_an_unknown_year_is_404(world: World) -> None:
    response = world.client.post(
        "/filings",
        json={"year": 2031, "form": "01", "payload": plan(), "school_id": HOA_BINH},
        headers=auth(),
    )
    assert response.status_code == 404
    assert world.client.get("/status-board?year=2031", headers=auth("operator")).status_code == 404


def test_a_second_filing_of_a_one_off_form_is_409_and_must_be_an_amendment(world: World) -> None:
    first = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    again = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    assert again.status_code == 409
    assert again.get_json()["error"]["details"] == {"submission_id": first["submission_id"]}


def test_amendments_until_the_deadline_then_only_after_a_reopening(world: World) -> None:
    filing = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    path = f"/filings/{filing['submission_id']}"
    amended = world.client.put(path, json={"payload": plan(summary="Bản sửa")}, headers=officer(HOA_BINH))
    assert amended.status_code == 200
    assert (amended.get_json()["amendments"], amended.get_json()["payload"]["summary"]) == (1, "Bản sửa")
    assert world.client.put(path, json={"payload": plan()}, headers=officer(PHU_THO)).status_code == 403
    world.at("2023-03-06T08:00:00+07:00")
    late = world.client.put(path, json={"payload": plan(summary="Quá hạn")}, headers=officer(HOA_BINH))
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "deadline_passed"
    assert (
        world.client.post(f"{path}/reopen", json={"reason": "x"}, headers=officer(HOA_BINH)).status_code
        == 403
    )
    world.client.post(f"{path}/reopen", json={"reason": "Học viện cho phép bổ sung"}, headers=auth())
    assert (
        world.client.put(
            path, json={"payload": plan(summary="Bổ sung")}, headers=officer(HOA_BINH)
        ).status_code
        == 200
    )
    assert world.client.put(path, json={"payload": plan()}, headers=officer(HOA_BINH)).status_code == 409
    history = world.client.get(f"{path}/history", headers=auth("operator")).get_json()
    assert [h["type"] for h in history] == [
        "PlanSubmitted",
        "SubmissionAmended",
        "SubmissionReopened",
        "SubmissionAmended",
    ]
    assert history[0]["data"]["payload"]["summary"] == "Kế hoạch thi đua năm 2023"


def test_a_cross_inspection_with_verified_scores(world: World) -> None:
    minutes = {
        "inspected_school_id": HOA_BINH,
        "inspecting_school_ids": [PHU_THO],
        "cross_inspection": True,
        "inspected_on": "2023-06-15",
        "findings": "Thực hiện tốt",
        "verified_scores": [{"criterion": "DOT_PHA.1", "points": 12}],
    }
    assert file(world, "KIEM_TRA", minutes, head(), cluster_id=CLUSTER).status_code == 201
    assert (
        file(
            world, "KIEM_TRA", {**minutes, "inspected_on": "2023-09-01"}, head(), cluster_id=CLUSTER
        ).status_code
        == 201
    )
    self_inspection = {**minutes, "inspecting_school_ids": [HOA_BINH]}
    assert (
        file(world, "KIEM_TRA", self_inspection, head(), cluster_id=CLUSTER).get_json()["error"]["code"]
        == "self_inspection"
    )
    outsider = {**minutes, "inspecting_school_ids": [JUSTICE]}
    assert (
        file(world, "KIEM_TRA", outsider, head(), cluster_id=CLUSTER).get_json()["error"]["code"]
        == "not_a_member"
    )
    over = {**minutes, "verified_scores": [{"criterion": "DOT_PHA.1", "points": 99}]}
    assert (
        file(world, "KIEM_TRA", over, head(), cluster_id=CLUSTER).get_json()["error"]["code"]
        == "score_above_maximum"
    )
    assert world.event_types() == ["InspectionDone", "InspectionDone"]

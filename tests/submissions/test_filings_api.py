"""Filing forms through the HTTP API: roles, tenants, the year's data, duplicates, deadlines, amendments."""

from __future__ import annotations

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
    scores,
)


def test_a_school_files_its_plan_on_time_and_the_event_is_recorded(world: World) -> None:
    response = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    assert response.status_code == 201, response.get_json()
    filing = response.get_json()
    assert (filing["filer_id"], filing["cluster_id"]) == (HOA_BINH, CLUSTER)
    assert (filing["deadline_code"], filing["due"], filing["on_time"]) == ("PLAN", "2023-03-05", True)
    assert world.event_types() == ["PlanSubmitted"]


def test_an_extended_deadline_is_the_one_in_force(world: World) -> None:
    world.at("2023-03-07T09:00:00+07:00")
    world.extend_deadline("PLAN", "2023-03-10")
    assert file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()["on_time"] is True


def test_filing_for_another_school_is_403_and_a_head_files_for_their_cluster(world: World) -> None:
    assert file(world, "01", plan(), officer(PHU_THO), school_id=HOA_BINH).status_code == 403
    cluster_plan = {"purpose": "Mục đích", "contents": ["Nội dung"], "division_of_work": "Phân công"}
    assert file(world, "02", cluster_plan, head(), cluster_id=CLUSTER).status_code == 201
    assert world.event_types() == ["ClusterPlanFiled"]


def test_a_rule_of_the_year_broken_is_422_with_its_code(world: World) -> None:
    world.at("2023-11-01T10:00:00+07:00")
    too_many = file(world, "5.1", scores(**{"DOT_PHA.1": 16}), officer(HOA_BINH), school_id=HOA_BINH)
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "score_above_maximum"
    assert world.event_types() == []


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


def test_an_amendment_is_200_until_the_deadline_then_409_until_the_academy_reopens(world: World) -> None:
    filing = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    path = f"/filings/{filing['submission_id']}"
    amended = world.client.put(path, json={"payload": plan(summary="Bản sửa")}, headers=officer(HOA_BINH))
    assert amended.status_code == 200
    assert (amended.get_json()["amendments"], amended.get_json()["payload"]["summary"]) == (1, "Bản sửa")
    world.at("2023-03-06T08:00:00+07:00")
    late = world.client.put(path, json={"payload": plan(summary="Quá hạn")}, headers=officer(HOA_BINH))
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "deadline_passed"
    assert (
        world.client.post(f"{path}/reopen", json={"reason": "x"}, headers=officer(HOA_BINH)).status_code
        == 403
    )
    reopened = world.client.post(
        f"{path}/reopen", json={"reason": "Học viện cho phép bổ sung"}, headers=auth()
    )
    assert reopened.status_code == 200
    history = world.client.get(f"{path}/history", headers=auth("operator")).get_json()
    assert [h["type"] for h in history] == ["PlanSubmitted", "SubmissionAmended", "SubmissionReopened"]
    assert history[0]["data"]["payload"]["summary"] == "Kế hoạch thi đua năm 2023"

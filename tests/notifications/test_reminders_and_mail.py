"""Reminders before the 2023 deadlines on real Kafka with a real SMTP server: when due, only to those
who still owe the filing, and only once, across restarts; receipts, overdue and ineligibility notices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.notifications.app.reminders import send_reminders
from services.notifications.bootstrap import bootstrap
from services.notifications.service import Notifications
from services.submissions.app.watcher import check_deadlines
from shared.eventstore import Context, NewEvent
from tests.notifications.conftest import Mailbox, NoticeScene, build_notice_scene
from tests.submissions.conftest import CLUSTER, HOA_BINH, PHU_THO, auth, head, officer, plan

MEMBERS = [HOA_BINH, PHU_THO, "sch_tuyenquang", "sch_yenbai", "sch_bacgiang", "sch_backan", "sch_thainguyen"]


def email_of(school: str) -> str:
    return f"thidua.{school.removeprefix('sch_')}@truong.edu.vn"


@pytest.fixture
def scene(kafka_url: str, smtp: tuple[Mailbox, int], tmp_path: Path) -> Iterator[NoticeScene]:
    scene = build_notice_scene(tmp_path, kafka_url, smtp[1])
    officers = [
        {
            "school_id": s,
            "name": f"Cán bộ {s}",
            "position": "Chuyên viên",
            "email": email_of(s),
            "phone": "0218 3852 111",
        }
        for s in MEMBERS
    ]
    scene.world.at("2023-02-20T09:00:00+07:00")
    response = scene.world.client.post(
        "/filings",
        json={"year": 2023, "form": "03", "cluster_id": CLUSTER, "payload": {"officers": officers}},
        headers=head(),
    )
    assert response.status_code == 201, response.get_json()
    scene.sync()
    yield scene
    scene.service.close()
    scene.world.service.close()
    scene.world.registry.close()


def test_reminders_go_out_when_due_only_to_who_still_owes_and_only_once(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp
    engine, offsets = scene.service.engine, (7, 1)
    mailbox.messages.clear()  # the Form 03 receipt
    scene.world.at("2023-02-25T09:00:00+07:00")  # 8 days before 05/03: nothing yet
    assert send_reminders(engine, scene.world.now, offsets) == 0

    scene.world.at("2023-02-26T09:00:00+07:00")  # 7 days before
    first = send_reminders(engine, scene.world.now, offsets)
    assert first > 0
    assert send_reminders(engine, scene.world.now, offsets) == 0  # a second run adds nothing
    assert scene.send_mail() > 0
    plan_reminders = [s for s in mailbox.subjects() if s.startswith("Nhắc hạn: Kế hoạch triển khai")]
    assert len(plan_reminders) == 7  # every school owes Form 01, but only this cluster's officers are listed
    assert all("05/03/2023" in s for s in plan_reminders)

    response = scene.world.client.post(
        "/filings",
        json={"year": 2023, "form": "01", "school_id": HOA_BINH, "payload": plan()},
        headers=officer(HOA_BINH),
    )
    assert response.status_code == 201
    scene.sync()
    mailbox.messages.clear()
    scene.world.at("2023-03-04T09:00:00+07:00")  # 1 day before: Hòa Bình has filed
    send_reminders(engine, scene.world.now, offsets)
    scene.send_mail()
    to = {to for to, subject in mailbox.sent() if subject.startswith("Nhắc hạn")}
    assert email_of(HOA_BINH) not in to
    assert email_of(PHU_THO) in to

    mailbox.messages.clear()
    restarted = build_notice_scene_again(scene)  # a restart: new engine, nothing kept in memory
    assert send_reminders(restarted.engine, scene.world.now, offsets) == 0
    assert scene.send_mail() == 0 and mailbox.messages == []
    restarted.close()


def build_notice_scene_again(scene: NoticeScene) -> Notifications:
    """Return the notifications service as a restarted process builds it."""
    return bootstrap(scene.service.config)


def test_receipts_overdue_and_ineligibility_notices_reach_mail_and_inbox(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp
    scene.world.at("2023-03-06T08:00:00+07:00")
    check_deadlines(scene.world.service)
    scene.sync()
    scene.send_mail()
    yen_bai = mailbox.subjects(email_of("sch_yenbai"))
    assert any(s.startswith("Quá hạn: Kế hoạch triển khai") for s in yen_bai)
    assert any(s.startswith("Không đủ điều kiện bình xét thi đua năm 2023") for s in yen_bai)
    ineligible = next(m for m in mailbox.messages if str(m["Subject"]).startswith("Không đủ điều kiện"))
    body = ineligible.get_content()
    assert "không được bình xét thi đua năm 2023" in body
    academy = mailbox.subjects("vu.cactruongchinhtri@hcma.vn")
    assert sum(s.startswith("Không đủ điều kiện") for s in academy) == 68
    cluster_inbox = scene.client.get("/inbox", headers=auth("cluster_head", CLUSTER)).get_json()
    assert [n["kind"] for n in cluster_inbox] == ["receipt"]  # of Form 03, filed by the cluster head
    inbox = scene.client.get("/inbox?unread=true", headers=auth("school_officer", "sch_yenbai")).get_json()
    assert {n["kind"] for n in inbox} == {"overdue", "ineligible"}
    count = scene.client.get("/inbox/unread-count", headers=auth("school_officer", "sch_yenbai")).get_json()
    assert count == {"unread": 2}
    read = scene.client.post(f"/inbox/{inbox[0]['id']}/read", headers=auth("school_officer", "sch_yenbai"))
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert scene.client.get(
        "/inbox/unread-count", headers=auth("school_officer", "sch_yenbai")
    ).get_json() == {"unread": 1}
    assert (
        scene.client.post(
            f"/inbox/{inbox[0]['id']}/read", headers=auth("school_officer", HOA_BINH)
        ).status_code
        == 404
    )
    assert scene.client.get("/inbox", headers=auth("operator")).status_code == 403
    logged = scene.client.get("/mail", query_string={"per_page": 500}, headers=auth("operator")).get_json()
    to_yen_bai = [m for m in logged if m["subject"].startswith("Quá hạn") and "Yên Bái" in m["unit"]]
    assert to_yen_bai and all(m["recipient"] == "(địa chỉ được niêm phong)" for m in to_yen_bai)
    assert {m["unit"] for m in logged if m["subject"].startswith("Không đủ điều kiện")} >= {
        "Học viện (Vụ Các trường chính trị)"
    }


def test_a_returned_filing_tells_its_school_why_and_an_accepted_one_says_so(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    world = scene.world
    filed = world.client.post(
        "/filings",
        json={"year": 2023, "form": "01", "school_id": HOA_BINH, "payload": plan()},
        headers=auth("school_officer", HOA_BINH),
    ).get_json()
    path = f"/filings/{filed['submission_id']}"
    reason = "Chưa ghi danh hiệu thi đua đăng ký"
    world.client.post(f"{path}/review", json={"decision": "return", "reason": reason}, headers=auth())
    world.client.put(
        path, json={"payload": plan(summary="Đã bổ sung")}, headers=auth("school_officer", HOA_BINH)
    )
    world.client.post(f"{path}/review", json={"decision": "accept"}, headers=auth())
    scene.sync()
    inbox = scene.client.get("/inbox", headers=auth("school_officer", HOA_BINH)).get_json()
    kinds = [n["kind"] for n in inbox]
    assert kinds.count("returned") == 1 and kinds.count("accepted") == 1
    returned = next(n for n in inbox if n["kind"] == "returned")
    assert returned["subject"].startswith("Trả lại để hoàn thiện: «Mẫu số 01 – Kế hoạch triển khai")
    assert reason in returned["body"] and "Vụ Các trường chính trị trả lại" in returned["body"]


def test_the_award_decision_tells_each_proposed_school_and_its_cluster_head(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp
    verdicts = [
        {"school_id": HOA_BINH, "cluster_id": CLUSTER, "award": "co_thi_dua", "awarded": True, "reason": ""},
        {
            "school_id": PHU_THO,
            "cluster_id": CLUSTER,
            "award": "bang_khen",
            "awarded": False,
            "reason": "Vượt chỉ tiêu",
        },
    ]
    decided = {
        "year": 2023,
        "decision_id": "qd_test",
        "number": "15-QĐ/HVCTQG",
        "signed_on": "2024-01-15",
        "signer_name": "Người ký",
        "signer_title": "Giám đốc",
        "verdicts": [{**v, "rank": n + 1, "final": 95.0 - n} for n, v in enumerate(verdicts)],
    }
    registry = scene.world.registry
    with registry.transaction() as conn:
        registry.record(conn, "awards-2023", [NewEvent("AwardsDecided", decided)], Context(actor="test"), 0)
    scene.sync()
    scene.sync()  # a second pass writes no notice twice
    scene.send_mail()
    school = scene.client.get("/inbox", headers=auth("school_officer", HOA_BINH)).get_json()
    (award,) = [n for n in school if n["kind"] == "award"]
    assert (
        award["subject"] == "Kết quả khen thưởng phong trào thi đua năm 2023: Trường Chính trị tỉnh Hòa Bình"
    )
    assert "được tặng Cờ thi đua của Học viện" in award["body"] and "15/01/2024" in award["body"]
    refused = [
        n
        for n in scene.client.get("/inbox", headers=auth("school_officer", PHU_THO)).get_json()
        if n["kind"] == "award"
    ]
    assert len(refused) == 1 and "không được chấp thuận: Vượt chỉ tiêu" in refused[0]["body"]
    cluster = [
        n
        for n in scene.client.get("/inbox", headers=auth("cluster_head", CLUSTER)).get_json()
        if n["kind"] == "awards"
    ]
    assert len(cluster) == 1 and "không khen thưởng (Vượt chỉ tiêu)" in cluster[0]["body"]
    assert sum(s.startswith("Kết quả khen thưởng") for s in mailbox.subjects()) >= 2


def test_a_school_s_own_extension_is_told_to_it_and_its_reminders_count_to_its_day(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp
    engine, offsets = scene.service.engine, (7, 1)
    scene.world.extend_deadline("PLAN", "2023-03-20", PHU_THO)
    scene.sync()
    mailbox.messages.clear()
    scene.send_mail()
    told = [(to, s) for to, s in mailbox.sent() if s.startswith("Gia hạn: Kế hoạch triển khai")]
    assert [to for to, _s in told] == [email_of(PHU_THO)] and told[0][1].endswith("đến 20/03/2023")
    mailbox.messages.clear()
    scene.world.at("2023-03-04T09:00:00+07:00")  # 1 day before everyone's day: not Phú Thọ's
    send_reminders(engine, scene.world.now, offsets)
    scene.send_mail()
    reminded = {to for to, subject in mailbox.sent() if subject.startswith("Nhắc hạn")}
    assert email_of(HOA_BINH) in reminded and email_of(PHU_THO) not in reminded
    mailbox.messages.clear()
    scene.world.at("2023-03-19T09:00:00+07:00")  # 1 day before Phú Thọ's own day
    send_reminders(engine, scene.world.now, offsets)
    scene.send_mail()
    reminded_late = [(to, s) for to, s in mailbox.sent() if s.startswith("Nhắc hạn")]
    assert [to for to, _s in reminded_late] == [email_of(PHU_THO)]
    assert "20/03/2023" in reminded_late[0][1]

"""The console's pages without a browser: login by token, roles, the event stream and the audit search."""

from __future__ import annotations

from pathlib import Path

from services.notifications.bootstrap import audit_runner, bootstrap, migrate
from services.notifications.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from tests.factories import TEST_SECRET, make_envelope, notifications_settings


def console(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = notifications_settings(tmp_path)
    migrate(settings)
    service = bootstrap(settings)
    service.bus.ensure_topics([REGISTRY_TOPIC])
    events = [
        make_envelope(f"school-{n}", 1, type="SchoolRegistered", data={"school_id": f"sch_{n}"})
        for n in range(3)
    ]
    service.bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in events])
    runner = audit_runner(service)
    runner.run_until_caught_up()
    runner.close()
    return service, create_app(service).test_client()


def test_login_takes_a_valid_token_and_refuses_others(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    assert client.get("/console/events").status_code == 302  # to the login page
    assert client.post("/console/login", data={"token": "forged"}).status_code == 401
    officer = mint_token(TEST_SECRET, "b", "school_officer", "sch_1")
    assert client.post("/console/login", data={"token": officer}).status_code == 302
    assert client.get("/console/events").status_code == 403
    client.get("/console/logout")
    assert (
        client.post("/console/login", data={"token": mint_token(TEST_SECRET, "o", "operator")}).status_code
        == 302
    )
    page = client.get("/console/events").data.decode()
    assert "Luồng sự kiện" in page and page.count("SchoolRegistered") == 3
    assert client.get("/console/events?stream_id=school-1").data.decode().count("SchoolRegistered") == 1
    audit = client.get("/console/audit").data.decode()
    assert "toàn vẹn (3 bản ghi)" in audit
    assert "Còn lại" in client.get("/console/lag").data.decode()
    service.close()


def test_an_operator_cannot_redrive(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    client.post("/console/login", data={"token": mint_token(TEST_SECRET, "o", "operator")})
    response = client.post(
        "/console/dlq/redrive", data={"topic": REGISTRY_TOPIC, "partition": "0", "offset": "0"}
    )
    assert response.status_code == 403
    assert "Chỉ quản trị viên" in response.data.decode()
    service.close()


def test_the_mail_page_lists_what_was_sent_in_vietnam_time(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from services.notifications.app.notices import Recipients, add_notice

    service, client = console(tmp_path)
    to = Recipients("school:sch_1", ("thidua@truong.vn",), "Trường Chính trị tỉnh Hòa Bình")
    with service.engine.begin() as conn:
        add_notice(
            conn, "k1", "receipt", to, "Đã nhận: mẫu 01", "Nội dung", datetime(2023, 3, 1, 17, 30, tzinfo=UTC)
        )
    client.post("/console/login", data={"token": mint_token(TEST_SECRET, "o", "operator")})
    page = client.get("/console/mail").data.decode()
    assert "Đã nhận: mẫu 01" in page and "thidua@truong.vn" in page and "Chờ gửi" in page
    assert "02/03/2023 00:30" in page  # 17:30 UTC is past midnight in Vietnam
    assert "Chưa có thư nào" in client.get("/console/mail?status=sent").data.decode()
    events = client.get("/console/events").data.decode()
    assert "+00:00" not in events  # times are shown in Vietnam time, not as stored
    service.close()

"""The console's pages without a browser: login by token, roles, the event stream and the audit search."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from services.notifications.bootstrap import audit_runner, bootstrap, migrate
from services.notifications.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from tests.factories import (
    TEST_SECRET,
    console_login,
    console_post,
    make_envelope,
    notifications_settings,
)


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
    assert console_login(client, "forged").status_code == 401
    officer = mint_token(TEST_SECRET, "b", "school_officer", "sch_1")
    assert console_login(client, officer).status_code == 403
    client.set_cookie("thidua_token", officer)  # a cookie of another role, however it came
    assert client.get("/console/events").status_code == 403
    client.delete_cookie("thidua_token")
    assert console_login(client, mint_token(TEST_SECRET, "o", "operator")).status_code == 302
    page = client.get("/console/events").data.decode()
    assert "Luồng sự kiện" in page and page.count("SchoolRegistered") == 3
    assert client.get("/console/events?stream_id=school-1").data.decode().count("SchoolRegistered") == 1
    audit = client.get("/console/audit").data.decode()
    assert "toàn vẹn (3 bản ghi)" in audit
    assert "Còn lại" in client.get("/console/lag").data.decode()
    service.close()


def test_an_operator_cannot_redrive(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    response = console_post(
        client, "/console/dlq/redrive", {"topic": REGISTRY_TOPIC, "partition": "0", "offset": "0"}
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
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get("/console/mail").data.decode()
    assert "Đã nhận: mẫu 01" in page and "thidua@truong.vn" in page and "Chờ gửi" in page
    assert "02/03/2023 00:30" in page  # 17:30 UTC is past midnight in Vietnam
    assert "Chưa có thư nào" in client.get("/console/mail?status=sent").data.decode()
    events = client.get("/console/events").data.decode()
    assert "+00:00" not in events  # times are shown in Vietnam time, not as stored
    service.close()


def test_an_events_page_shows_its_data_its_stream_and_what_it_correlates_with_or_caused(
    tmp_path: Path,
) -> None:
    service, client = console(tmp_path)
    filed = make_envelope(
        "submission-s1",
        1,
        type="PlanSubmitted",
        data={"school_id": "sch_1", "note": "Kế hoạch"},
        correlation_id="corr-1",
    )
    accepted = make_envelope(
        "submission-s1",
        2,
        type="FilingAccepted",
        data={"school_id": "sch_1"},
        correlation_id="corr-2",
        causation_id=filed.id,
    )
    receipt = make_envelope(
        "notice-1", 1, type="ReceiptSent", data={}, correlation_id="corr-1", causation_id=filed.id
    )
    service.bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in (filed, accepted, receipt)])
    runner = audit_runner(service)
    runner.run_until_caught_up()
    runner.close()
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get(f"/console/events/{filed.id}").data.decode()
    assert "Sự kiện PlanSubmitted" in page and "&#34;note&#34;: &#34;Kế hoạch&#34;" in page.replace(
        '"', "&#34;"
    )
    history, correlated, caused = page.split("<h2>")[2:5]
    assert "FilingAccepted" in history and "ReceiptSent" not in history
    assert "ReceiptSent" in correlated and "FilingAccepted" not in correlated
    assert "FilingAccepted" in caused and "ReceiptSent" in caused
    effect = client.get(f"/console/events/{accepted.id}").data.decode()
    assert f'href="/console/events/{filed.id}">PlanSubmitted</a>' in effect  # its cause, linked
    assert client.get("/console/events/not-an-event").status_code == 404
    listing = client.get("/console/events").data.decode()
    assert f'href="/console/events/{filed.id}"' in listing
    service.close()


def test_the_activity_chart_counts_each_topics_events_per_minute(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from services.notifications.app import activity

    service, client = console(tmp_path)
    now = datetime.now(UTC)
    with service.engine.connect() as conn:
        series = activity.per_minute(conn, now + timedelta(minutes=1))
        later = activity.per_minute(conn, now + timedelta(hours=2))
    assert sum(series[REGISTRY_TOPIC]) == 3 and series[REGISTRY_TOPIC][-2:] in (
        [3, 0],
        [0, 3],
        [1, 2],
        [2, 1],
    )
    assert later == {}  # nothing in the hour before
    svg = activity.chart(series, "t")
    assert svg.startswith("<svg") and f'data-topic="{REGISTRY_TOPIC}"' in svg and "(3)" in svg
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get("/console/activity").data.decode()
    assert "<svg" in page and "Hoạt động các chủ đề" in page
    service.close()


def test_console_pages_forbid_framing_inline_script_and_caching(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    login = client.get("/console/login")
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    assert login.headers["X-Frame-Options"] == "DENY" and "<style>" not in login.data.decode()
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    events = client.get("/console/events")
    assert events.headers["Cache-Control"] == "no-store"  # what an operator read stays off disk caches
    assert "unsafe-inline" not in events.headers["Content-Security-Policy"]
    assert client.get("/static/console.css").status_code == 200
    service.close()


def test_an_events_page_links_its_trace_in_the_trace_backend(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    service.config = replace(service.config, trace_ui_url="http://127.0.0.1:16686")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traced = replace(
        make_envelope("submission-t1", 1, type="PlanSubmitted", data={"school_id": "sch_1"}),
        traceparent=f"00-{trace_id}-00f067aa0ba902b7-01",
    )
    untraced = make_envelope("submission-t2", 1, type="PlanSubmitted", data={"school_id": "sch_2"})
    service.bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in (traced, untraced)])
    runner = audit_runner(service)
    runner.run_until_caught_up()
    runner.close()
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get(f"/console/events/{traced.id}").data.decode()
    assert f'href="http://127.0.0.1:16686/trace/{trace_id}"' in page
    assert "Không ghi vết" in client.get(f"/console/events/{untraced.id}").data.decode()
    service.config = replace(service.config, trace_ui_url="http://127.0.0.1:9411/zipkin/traces/{trace_id}")
    page = client.get(f"/console/events/{traced.id}").data.decode()
    assert f'href="http://127.0.0.1:9411/zipkin/traces/{trace_id}"' in page  # a template: Zipkin's
    service.close()


def test_console_forms_need_their_csrf_value_and_its_login_only_the_roles_that_use_it(tmp_path: Path) -> None:
    service, client = console(tmp_path)
    operator = mint_token(TEST_SECRET, "o", "operator")
    assert client.post("/console/login", data={"token": operator}).status_code == 403  # no CSRF value
    assert client.get_cookie("thidua_token") is None
    officer = mint_token(TEST_SECRET, "b", "school_officer", "sch_1")
    refused = console_login(client, officer)
    assert refused.status_code == 403 and client.get_cookie("thidua_token") is None
    assert console_login(client, mint_token(TEST_SECRET, "a", "academy_admin")).status_code == 302
    forged = client.post(
        "/console/dlq/discard", data={"topic": REGISTRY_TOPIC, "partition": "0", "offset": "0"}
    )
    assert forged.status_code == 403  # a cross-site form carries no CSRF value
    assert client.get("/console/logout").status_code == 405  # a link cannot sign anyone out
    assert console_post(client, "/console/logout", {}).status_code == 302
    assert client.get("/console/events").status_code == 302  # signed out
    service.close()

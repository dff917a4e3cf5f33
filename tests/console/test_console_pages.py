"""The console's pages without a browser: login by token, roles, the event stream and the audit search.

The console reads notifications through its API: here that API is served on a port of its own, in
this process, over the same embedded bus the console reads lag and dead letters from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from services.console.config import ConsoleSettings
from services.console.service import Console
from services.console.wsgi import create_app as console_app
from services.notifications.bootstrap import audit_runner, bootstrap, migrate
from services.notifications.service import Notifications
from services.notifications.wsgi import create_app as notifications_app
from services.vocabulary import REGISTRY_TOPIC
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from shared.envelope import Envelope
from tests.factories import (
    TEST_SECRET,
    console_login,
    console_post,
    make_envelope,
    make_settings,
    notifications_settings,
)
from tests.ports import port_of, refusing


@dataclass
class Scene:
    """Notifications served over HTTP, and the console in front of it (its test client)."""

    service: Notifications
    console: Console
    client: Any

    def audit(self, *events: Envelope) -> None:
        """Publish events and let notifications' audit trail take them in."""
        self.service.bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in events])
        runner = audit_runner(self.service)
        runner.run_until_caught_up()
        runner.close()


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    settings = notifications_settings(tmp_path)
    migrate(settings)
    service = bootstrap(settings)
    service.bus.ensure_topics([REGISTRY_TOPIC])
    server = make_server("127.0.0.1", 0, notifications_app(service), threaded=True)  # its own port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    silent = refusing()  # the registry: nothing answers there, so names fall back to ids
    console = Console(
        ConsoleSettings(
            common=make_settings("console", tmp_path),
            notifications_url=f"http://127.0.0.1:{server.server_port}",
            registry_url=f"http://127.0.0.1:{port_of(silent)}",
        )
    )
    found = Scene(service, console, console_app(console).test_client())
    found.audit(
        *[
            make_envelope(f"school-{n}", 1, type="SchoolRegistered", data={"school_id": f"sch_{n}"})
            for n in range(3)
        ]
    )
    yield found
    silent.close()
    server.shutdown()
    server.server_close()
    console.close()


def test_login_takes_a_valid_token_and_refuses_others(scene: Scene) -> None:
    client = scene.client
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


def test_an_operator_cannot_redrive(scene: Scene) -> None:
    client = scene.client
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    response = console_post(
        client, "/console/dlq/redrive", {"topic": REGISTRY_TOPIC, "partition": "0", "offset": "0"}
    )
    assert response.status_code == 403
    assert "Chỉ quản trị viên" in response.data.decode()


def test_the_mail_page_lists_what_was_sent_in_vietnam_time(scene: Scene) -> None:
    from datetime import UTC, datetime

    from services.notifications.app.notices import Recipients, add_notice

    service, client = scene.service, scene.client
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


def test_an_events_page_shows_its_data_its_stream_and_what_it_correlates_with_or_caused(
    scene: Scene,
) -> None:
    client = scene.client
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
    scene.audit(filed, accepted, receipt)
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


def test_the_activity_chart_counts_each_topics_events_per_minute(scene: Scene) -> None:
    from datetime import UTC, datetime, timedelta

    from services.notifications.app import activity

    service, client = scene.service, scene.client
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
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get("/console/activity").data.decode()
    assert "<svg" in page and "Hoạt động các chủ đề" in page
    assert f'data-topic="{REGISTRY_TOPIC}"' in page and "(3)" in page  # as notifications counted them


def test_a_page_says_which_service_does_not_answer_and_the_api_refuses_other_roles(scene: Scene) -> None:
    operator = mint_token(TEST_SECRET, "o", "operator")
    console_login(scene.client, operator)
    officer = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'b', 'school_officer', 'sch_1')}"}
    served = scene.console.config.notifications_url
    for path in ("/mail", "/audit/activity", "/audit/demonstration", "/audit/events/x"):
        assert requests.get(f"{served}{path}", headers=officer, timeout=5).status_code == 403, path
    silent = refusing()
    scene.console.config = replace(
        scene.console.config, notifications_url=f"http://127.0.0.1:{port_of(silent)}"
    )
    page = scene.client.get("/console/mail")
    assert page.status_code == 200 and "Không kết nối được dịch vụ" in page.data.decode()
    assert scene.client.get("/console/events/any").status_code == 503
    silent.close()


def test_console_pages_forbid_framing_inline_script_and_caching(scene: Scene) -> None:
    client = scene.client
    login = client.get("/console/login")
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    assert login.headers["X-Frame-Options"] == "DENY" and "<style>" not in login.data.decode()
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    events = client.get("/console/events")
    assert events.headers["Cache-Control"] == "no-store"  # what an operator read stays off disk caches
    assert "unsafe-inline" not in events.headers["Content-Security-Policy"]
    assert client.get("/static/console.css").status_code == 200


def test_an_events_page_links_its_trace_in_the_trace_backend(scene: Scene) -> None:
    client = scene.client
    scene.console.config = replace(scene.console.config, trace_ui_url="http://127.0.0.1:16686")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traced = replace(
        make_envelope("submission-t1", 1, type="PlanSubmitted", data={"school_id": "sch_1"}),
        traceparent=f"00-{trace_id}-00f067aa0ba902b7-01",
    )
    untraced = make_envelope("submission-t2", 1, type="PlanSubmitted", data={"school_id": "sch_2"})
    scene.audit(traced, untraced)
    console_login(client, mint_token(TEST_SECRET, "o", "operator"))
    page = client.get(f"/console/events/{traced.id}").data.decode()
    assert f'href="http://127.0.0.1:16686/trace/{trace_id}"' in page
    assert "Không ghi vết" in client.get(f"/console/events/{untraced.id}").data.decode()
    zipkin = "http://127.0.0.1:9411/zipkin/traces/{trace_id}"
    scene.console.config = replace(scene.console.config, trace_ui_url=zipkin)
    page = client.get(f"/console/events/{traced.id}").data.decode()
    assert f'href="http://127.0.0.1:9411/zipkin/traces/{trace_id}"' in page  # a template: Zipkin's


def test_console_forms_need_their_csrf_value_and_its_login_only_the_roles_that_use_it(scene: Scene) -> None:
    client = scene.client
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


def test_the_pages_say_when_the_demonstration_year_is_loaded(scene: Scene) -> None:
    console_login(scene.client, mint_token(TEST_SECRET, "o", "operator"))
    assert "Dữ liệu minh họa" not in scene.client.get("/console/events").data.decode()
    scene.audit(make_envelope("school-d", 1, type="SchoolRegistered", data={}, actor="academy:minh-hoa"))
    assert "Dữ liệu minh họa" in scene.client.get("/console/events").data.decode()

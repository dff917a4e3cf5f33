"""Webhooks to a local HTTP receiver: signed, retried after failures with backoff, paused after repeated
ones and resumed by an operator; a slow endpoint never holds up the others."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.notifications.tables import deliveries, subscriptions
from shared.signing import WEBHOOK_HEADER, verify_webhook
from tests.notifications.conftest import NoticeScene, Receivers, build_notice_scene, json_body
from tests.submissions.conftest import HOA_BINH, PHU_THO, auth, officer, plan


@pytest.fixture
def scene(embedded_bus_url: str, tmp_path: Path) -> Iterator[NoticeScene]:
    scene = build_notice_scene(tmp_path, embedded_bus_url, smtp_port=1)
    scene.sync()
    yield scene
    scene.service.close()
    scene.world.service.close()
    scene.world.registry.close()


def subscribe(scene: NoticeScene, code: str, url: str, types: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    response = scene.client.post(
        "/webhooks/subscriptions", json={"code": code, "url": url, "event_types": types or []}, headers=auth()
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def file_plan(scene: NoticeScene, school: str) -> None:
    response = scene.world.client.post(
        "/filings",
        json={"year": 2023, "form": "01", "school_id": school, "payload": plan()},
        headers=officer(school),
    )
    assert response.status_code == 201
    scene.sync()


def advance(scene: NoticeScene, **delta: float) -> None:
    scene.world.now = scene.world.now + timedelta(**delta)


def test_deliveries_are_signed_cloudevents_about_the_subscribers_schools_only(
    scene: NoticeScene, receivers: Receivers
) -> None:
    endpoint = receivers.endpoint("/hoabinh")
    subscription = subscribe(scene, "HOABINH", receivers.url("/hoabinh"), ["PlanSubmitted"])
    file_plan(scene, HOA_BINH)
    file_plan(scene, PHU_THO)
    assert scene.deliver() == 1
    ((headers, body),) = endpoint.received
    assert verify_webhook(subscription["secret"].encode(), headers[WEBHOOK_HEADER], body)
    assert not verify_webhook(b"another-secret", headers[WEBHOOK_HEADER], body)
    event = json_body(body)
    assert (event["specversion"], event["type"], event["data"]["filer_id"]) == (
        "1.0",
        "PlanSubmitted",
        HOA_BINH,
    )
    log = scene.client.get(
        f"/webhooks/subscriptions/{subscription['id']}/deliveries", headers=auth("operator")
    ).get_json()
    assert [(d["status"], d["attempts"], d["last_status"]) for d in log] == [("delivered", 1, 200)]


def test_a_failing_endpoint_is_retried_with_backoff_then_paused_and_resumed(
    scene: NoticeScene, receivers: Receivers
) -> None:
    endpoint = receivers.endpoint("/flaky", statuses=[500, 503, 500, 500])
    subscription = subscribe(scene, "HOABINH", receivers.url("/flaky"))
    file_plan(scene, HOA_BINH)
    assert scene.deliver() == 1  # first try: 500
    assert scene.deliver() == 0  # not due again yet: the backoff holds it
    advance(scene, seconds=3)
    assert scene.deliver() == 1  # second try: 503
    advance(scene, seconds=5)
    assert scene.deliver() == 1  # third try: 500, the third failure in a row pauses the subscription
    listed = scene.client.get("/webhooks/subscriptions", headers=auth("operator")).get_json()
    assert [(s["status"], s["consecutive_failures"]) for s in listed] == [("paused", 3)]
    advance(scene, hours=2)
    assert scene.deliver() == 0  # paused: nothing is sent, nothing is lost
    with scene.service.engine.connect() as conn:
        assert conn.execute(deliveries.select()).mappings().one()["status"] == "pending"
    assert (
        scene.client.post(
            f"/webhooks/subscriptions/{subscription['id']}/resume", headers=auth("school_officer", HOA_BINH)
        ).status_code
        == 403
    )
    resumed = scene.client.post(
        f"/webhooks/subscriptions/{subscription['id']}/resume", headers=auth("operator")
    )
    assert resumed.get_json()["status"] == "active"
    assert scene.deliver() == 1  # fourth try: 500 again (one failure, not paused)
    advance(scene, seconds=15)
    assert scene.deliver() == 0  # the backoff grows: 2 s, 4 s, 8 s, now 16 s
    advance(scene, seconds=2)
    assert scene.deliver() == 1  # fifth try: 200
    assert [s for s in endpoint.statuses] == [] and len(endpoint.received) == 5
    log = scene.client.get(
        f"/webhooks/subscriptions/{subscription['id']}/deliveries", headers=auth("operator")
    ).get_json()
    assert (log[0]["status"], log[0]["attempts"]) == ("delivered", 5)


def test_an_unreachable_endpoint_is_retried_later_and_nothing_is_lost(
    scene: NoticeScene, receivers: Receivers
) -> None:
    subscription = subscribe(scene, "HOABINH", "http://127.0.0.1:9/nobody-listens")
    file_plan(scene, HOA_BINH)
    assert scene.deliver() == 1
    log = scene.client.get(
        f"/webhooks/subscriptions/{subscription['id']}/deliveries", headers=auth("operator")
    ).get_json()
    assert log[0]["status"] == "pending" and log[0]["last_error"] == "connection failed"


def test_a_slow_endpoint_does_not_hold_up_the_others(scene: NoticeScene, receivers: Receivers) -> None:
    gate = threading.Event()
    slow = receivers.endpoint("/slow", gate=gate)
    fast = receivers.endpoint("/fast")
    subscribe(scene, "HOABINH", receivers.url("/slow"))
    subscribe(scene, "HOABINH", receivers.url("/fast"))
    file_plan(scene, HOA_BINH)
    worker = threading.Thread(target=scene.deliver)
    worker.start()
    try:
        for _ in range(300):  # poll (no sleep-and-hope): the fast delivery lands while the slow one waits
            if fast.received:
                break
            threading.Event().wait(0.05)
        assert len(fast.received) == 1 and slow.received == []
    finally:
        gate.set()
        worker.join(timeout=30)
    assert len(slow.received) == 1


def test_a_malformed_or_unknown_subscription_is_refused(scene: NoticeScene, receivers: Receivers) -> None:
    bad_url = scene.client.post(
        "/webhooks/subscriptions", json={"code": "HOABINH", "url": "not a url"}, headers=auth()
    )
    assert bad_url.status_code == 422
    assert "url" in bad_url.get_json()["error"]["details"]["json"]
    assert (
        scene.client.post(
            "/webhooks/subscriptions", json={"url": receivers.url("/x")}, headers=auth()
        ).status_code
        == 422
    )
    unknown = scene.client.post(
        "/webhooks/subscriptions", json={"code": "ATLANTIS", "url": receivers.url("/x")}, headers=auth()
    )
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "unknown_code"
    assert (
        scene.client.post(
            "/webhooks/subscriptions",
            json={"code": "HOABINH", "url": receivers.url("/x")},
            headers=auth("operator"),
        ).status_code
        == 403
    )
    assert scene.client.post("/webhooks/subscriptions/wh_nope/resume", headers=auth()).status_code == 404


def test_a_url_carrying_a_credential_is_refused_at_subscription(scene: NoticeScene) -> None:
    for url in (
        "https://user:pw@hook.hoabinh.gov.vn/thidua",
        "https://hook.hoabinh.gov.vn/thidua?access_token=abc",
    ):
        response = scene.client.post(
            "/webhooks/subscriptions", json={"code": "HOABINH", "url": url}, headers=auth()
        )
        assert response.status_code == 422, url
        assert "credential" in str(response.get_json()["error"]["details"]) or "password" in str(
            response.get_json()["error"]["details"]
        )
    assert scene.client.get("/webhooks/subscriptions", headers=auth()).get_json() == []


def test_the_signing_secret_is_stored_sealed_and_still_signs(
    scene: NoticeScene, receivers: Receivers
) -> None:
    endpoint = receivers.endpoint("/hoabinh")
    subscription = subscribe(scene, "HOABINH", receivers.url("/hoabinh"), ["PlanSubmitted"])
    with scene.service.engine.connect() as conn:
        stored = conn.execute(sa.select(subscriptions.c.secret)).scalar_one()
    assert stored.startswith("fernet:") and subscription["secret"] not in stored
    file_plan(scene, HOA_BINH)
    assert scene.deliver() == 1
    ((headers, body),) = endpoint.received
    assert verify_webhook(subscription["secret"].encode(), headers[WEBHOOK_HEADER], body)


def test_urls_are_redacted_in_the_api_and_in_delivery_errors(scene: NoticeScene) -> None:
    subscription = subscribe(
        scene, "HOABINH", "http://127.0.0.1:1/thidua?tinh=hoabinh-bi-mat", ["PlanSubmitted"]
    )
    assert subscription["url"] == "http://127.0.0.1:1/thidua?tinh=***"
    file_plan(scene, HOA_BINH)
    assert scene.deliver() == 1
    listed = scene.client.get("/webhooks/subscriptions", headers=auth()).get_json()
    log = scene.client.get(
        f"/webhooks/subscriptions/{subscription['id']}/deliveries", headers=auth()
    ).get_json()
    assert "hoabinh-bi-mat" not in str(listed) + str(log)
    assert log[0]["last_error"] == "connection failed"

"""Webhooks cannot reach inside: loopback, private, link-local and metadata addresses are refused when
subscribing and again at every delivery (DNS rebinding), redirects are not followed, and delivery
records keep a short reason, never a response body."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.notifications.app import targets
from services.notifications.app.targets import AllowList, TargetRefused
from tests.notifications.conftest import NoticeScene, Receivers, build_notice_scene
from tests.notifications.test_webhooks import file_plan
from tests.submissions.conftest import HOA_BINH, auth


@pytest.fixture
def closed_scene(embedded_bus_url: str, tmp_path: Path) -> Iterator[NoticeScene]:
    """A notifications service with no allow-list: only public https receivers."""
    scene = build_notice_scene(tmp_path, embedded_bus_url, smtp_port=1, webhook_allowed="")
    scene.sync()
    yield scene
    scene.service.close()
    scene.world.service.close()
    scene.world.registry.close()


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.10", "private"),
        ("172.16.0.5", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("100.64.0.1", "not-global"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),  # unique-local
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_only_public_addresses_are_public(address: str, why: str | None) -> None:
    assert targets.why_not_public(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8001/schools",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8005/dang-xuat",
        "https://localhost:8005/dang-xuat",
        "https://[::1]/hook",
        "https://10.0.0.1/hook",
        "http://8.8.8.8/hook",  # public, but not https
        "https://khong-ton-tai.invalid/hook",  # does not resolve
    ],
)
def test_a_subscription_to_an_inside_address_is_refused_and_nothing_is_stored(
    closed_scene: NoticeScene, url: str
) -> None:
    response = closed_scene.client.post(
        "/webhooks/subscriptions", json={"code": "HOABINH", "url": url}, headers=auth()
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "webhook_target_refused"
    assert closed_scene.client.get("/webhooks/subscriptions", headers=auth()).get_json() == []


def test_a_name_that_rebinds_to_the_loopback_after_subscribing_is_refused_at_delivery(
    closed_scene: NoticeScene, receivers: Receivers, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = receivers.server.server_address[1]
    endpoint = receivers.endpoint("/hook")
    answers = {"hook.example.vn": "93.184.216.34"}

    def fake_dns(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake_dns)
    created = closed_scene.client.post(
        "/webhooks/subscriptions",
        json={"code": "HOABINH", "url": f"https://hook.example.vn:{port}/hook"},
        headers=auth(),
    )
    assert created.status_code == 201  # public when subscribed
    answers["hook.example.vn"] = "127.0.0.1"  # then the name points inside
    file_plan(closed_scene, HOA_BINH)
    assert closed_scene.deliver() == 1
    assert endpoint.received == []
    log = closed_scene.client.get(
        f"/webhooks/subscriptions/{created.get_json()['id']}/deliveries", headers=auth()
    ).get_json()
    assert (log[0]["status"], log[0]["last_error"]) == ("pending", "target refused: address is loopback")


def test_the_request_goes_to_the_checked_address_with_the_urls_host_name(receivers: Receivers) -> None:
    endpoint = receivers.endpoint("/hook")
    port = receivers.server.server_address[1]
    target = targets.Target("http", "hook.example.vn", port, "127.0.0.1", "/hook")
    assert targets.post(target, b"{}", {"Content-Type": "application/json"}, 5) == 200
    ((headers, _body),) = endpoint.received
    assert headers["Host"] == f"hook.example.vn:{port}"


def test_redirects_are_not_followed_and_no_response_body_is_kept(
    embedded_bus_url: str, tmp_path: Path, receivers: Receivers
) -> None:
    scene = build_notice_scene(tmp_path, embedded_bus_url, smtp_port=1)
    try:
        scene.sync()
        inside = receivers.endpoint("/inside")
        receivers.endpoint(
            "/hook", statuses=[302], location=receivers.url("/inside"), answer=b"bi-mat-noi-bo"
        )
        created = scene.client.post(
            "/webhooks/subscriptions", json={"code": "HOABINH", "url": receivers.url("/hook")}, headers=auth()
        ).get_json()
        file_plan(scene, HOA_BINH)
        assert scene.deliver() == 1
        assert inside.received == []
        log = scene.client.get(
            f"/webhooks/subscriptions/{created['id']}/deliveries", headers=auth()
        ).get_json()
        assert (log[0]["last_status"], log[0]["last_error"]) == (302, "HTTP 302")
        assert "bi-mat-noi-bo" not in str(log)
    finally:
        scene.service.close()
        scene.world.service.close()
        scene.world.registry.close()


def test_the_allow_list_admits_named_hosts_and_networks_only() -> None:
    allow = AllowList.parse("hooks.internal, 10.20.0.0/16")
    assert allow.admits("hooks.internal", [ipaddress.ip_address("10.9.9.9")])
    assert allow.admits("other", [ipaddress.ip_address("10.20.3.4")])
    assert not allow.admits("other", [ipaddress.ip_address("10.20.3.4"), ipaddress.ip_address("10.21.0.1")])
    with pytest.raises(TargetRefused):
        targets.checked("http://10.21.0.1/hook", allow)
    assert targets.checked("http://10.20.0.1/hook", allow).address == "10.20.0.1"

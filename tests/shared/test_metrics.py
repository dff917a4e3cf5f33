"""Prometheus /metrics: requests and latency, events published and consumed, relay and consumer lag."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from services.notifications.bootstrap import audit_runner
from services.notifications.bootstrap import bootstrap as notifications_bootstrap
from services.notifications.bootstrap import migrate as notifications_migrate
from services.registry.bootstrap import bootstrap, migrate
from services.registry.contracts import TOPIC
from services.registry.wsgi import create_app
from shared.auth import mint_token
from tests.factories import TEST_SECRET, notifications_settings, service_settings


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return sum(
        v for (n, ls), v in found.items() if n == name and all((k, w) in ls for k, w in labels.items())
    )


def test_metrics_count_requests_events_and_lag(tmp_path: Path) -> None:
    settings = service_settings("registry", tmp_path)
    migrate(settings)
    registry = bootstrap(settings)
    client = create_app(registry).test_client()
    token = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'a', 'academy_admin')}"}
    body = {
        "code": "HB",
        "name": "Trường Chính trị tỉnh Hòa Bình",
        "kind": "provincial",
        "province": "Hòa Bình",
        "valid_from": "2021-01-01",
    }
    assert client.post("/schools", json=body, headers=token).status_code == 201
    before = samples(client.get("/metrics").data.decode())
    assert value(before, "thidua_http_requests_total", endpoint="/schools", method="POST", status="201") >= 1
    assert value(before, "thidua_http_request_seconds_count", endpoint="/schools", service="registry") >= 1
    assert value(before, "thidua_relay_lag_events", service="registry") == 1
    published = value(before, "thidua_events_published_total", relay="registry-relay")

    registry.relay(TOPIC).drain()
    after = samples(client.get("/metrics").data.decode())
    assert value(after, "thidua_relay_lag_events", service="registry") == 0
    assert value(after, "thidua_events_published_total", relay="registry-relay") == published + 1

    notifications = notifications_bootstrap(notifications_settings(tmp_path))
    notifications_migrate(notifications.config)
    runner = audit_runner(notifications)
    runner.run_until_caught_up()
    runner.close()
    final = samples(client.get("/metrics").data.decode())
    assert value(final, "thidua_events_consumed_total", consumer="notifications-audit") >= 1
    lags = [
        v
        for (n, ls), v in final.items()
        if n == "thidua_consumer_lag_events"
        and ("group", "notifications-audit") in ls
        and ("topic", TOPIC) in ls
    ]
    assert lags == [0]  # the partition the one event went to, fully handled
    notifications.close()
    registry.close()

"""The audit trail records every event once, whatever its type, and serves it to operators."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.notifications.bootstrap import audit_runner, bootstrap, migrate
from services.notifications.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from tests.factories import TEST_SECRET, make_envelope, notifications_settings


@pytest.fixture
def notifications(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = notifications_settings(tmp_path, database_url=database_url)
    migrate(settings)
    service = bootstrap(settings)
    service.bus.ensure_topics([REGISTRY_TOPIC])
    yield service
    service.close()


def publish(service, *envelopes) -> None:  # type: ignore[no-untyped-def]
    service.bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in envelopes])


def get(client: FlaskClient, query: str, role: str = "operator", tenant: str | None = None):  # type: ignore[no-untyped-def]
    token = mint_token(TEST_SECRET, "olga", role, tenant)
    return client.get(f"/audit/events{query}", headers={"Authorization": f"Bearer {token}"})


def test_every_event_is_recorded_once_with_its_envelope(notifications) -> None:  # type: ignore[no-untyped-def]
    first = make_envelope(
        "school-1", 1, type="SchoolRegistered", actor="academy_admin:alice", correlation_id="c1"
    )
    publish(notifications, first, make_envelope("school-2", 1, type="SomethingNew"), first)
    runner = audit_runner(notifications)
    runner.run_until_caught_up()
    runner.close()
    client = create_app(notifications).test_client()
    entries = get(client, "").get_json()
    assert [(e["stream_id"], e["type"]) for e in entries] == [
        ("school-1", "SchoolRegistered"),
        ("school-2", "SomethingNew"),
    ]
    assert entries[0]["actor"] == "academy_admin:alice"
    assert entries[0]["correlation_id"] == "c1"
    assert entries[0]["topic"] == REGISTRY_TOPIC
    assert [e["stream_id"] for e in get(client, "?stream_id=school-2").get_json()] == ["school-2"]
    assert [e["type"] for e in get(client, "?type=SchoolRegistered").get_json()] == ["SchoolRegistered"]


def test_a_rebuilt_audit_trail_equals_the_live_one(notifications) -> None:  # type: ignore[no-untyped-def]
    publish(notifications, *(make_envelope(f"school-{n}", 1, type="SchoolRegistered") for n in range(12)))
    runner = audit_runner(notifications)
    runner.run_until_caught_up()
    client = create_app(notifications).test_client()
    live = [(e["event_id"], e["stream_id"]) for e in get(client, "?per_page=100").get_json()]
    runner.rebuild()
    runner.close()
    rebuilt = [(e["event_id"], e["stream_id"]) for e in get(client, "?per_page=100").get_json()]
    assert rebuilt == live
    assert len(live) == 12


def test_only_operators_and_admins_read_the_trail(notifications) -> None:  # type: ignore[no-untyped-def]
    client = create_app(notifications).test_client()
    assert get(client, "", "school_officer", "sch_1").status_code == 403
    assert get(client, "", "academy_admin").status_code == 200
    assert client.get("/audit/events").status_code == 401
    assert get(client, "?page=0").status_code == 422

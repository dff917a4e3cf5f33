"""The thin slice on real Kafka and PostgreSQL, every service and worker in its own process.

POST a school to registry; SchoolRegistered is stored and relayed; the notifications audit consumer
records it; a GET on notifications shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.auth import mint_token
from tests.conftest import fresh_database
from tests.e2e.processes import Suite
from tests.factories import TEST_SECRET

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'alice', 'academy_admin')}"}
OPERATOR = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'olga', 'operator')}"}


@pytest.fixture
def suite(kafka_bootstrap: str, postgres_server: str, tmp_path: Path) -> Iterator[Suite]:
    with fresh_database(postgres_server) as registry_db, fresh_database(postgres_server) as notifications_db:
        suite = Suite(
            {
                "THIDUA_BUS_URL": f"kafka://{kafka_bootstrap}",
                "REGISTRY_DATABASE_URL": registry_db,
                "NOTIFICATIONS_DATABASE_URL": notifications_db,
                "THIDUA_JWT_SECRET": TEST_SECRET,
                "THIDUA_DATA_DIR": str(tmp_path),
            },
            tmp_path,
        )
        try:
            suite.migrate("registry")
            suite.migrate("notifications")
            yield suite
        finally:
            suite.stop_all()


def audit_of(base: str, stream_id: str) -> list[dict]:  # type: ignore[type-arg]
    response = requests.get(
        f"{base}/audit/events", params={"stream_id": stream_id}, headers=OPERATOR, timeout=5
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def register(base: str, code: str) -> dict:  # type: ignore[type-arg]
    body = {
        "code": code,
        "name": "Trường Chính trị tỉnh Phú Thọ" if code == "PT" else f"Trường Chính trị {code}",
        "kind": "provincial",
        "province": "Phú Thọ",
        "valid_from": "2021-01-01",
    }
    response = requests.post(
        f"{base}/schools", json=body, headers={**ADMIN, "X-Correlation-ID": f"c-{code}"}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_registered_school_reaches_the_audit_trail_through_kafka(suite: Suite) -> None:
    registry = suite.start_api("registry")
    suite.start_worker("registry")
    notifications = suite.start_api("notifications")
    suite.start_worker("notifications")

    school = register(registry, "PT")
    stream = f"school-{school['school_id']}"
    suite.wait_until(lambda: audit_of(notifications, stream), "the audit trail to record SchoolRegistered")

    (entry,) = audit_of(notifications, stream)
    assert entry["type"] == "SchoolRegistered"
    assert entry["topic"] == "thidua.registry.events"
    assert entry["actor"] == "academy_admin:alice"
    assert entry["correlation_id"] == "c-PT"
    assert entry["data"]["name"] == "Trường Chính trị tỉnh Phú Thọ"
    assert requests.get(f"{registry}/readyz", timeout=5).json()["checks"] == {"database": True, "bus": True}


def test_killing_the_workers_mid_way_loses_and_repeats_nothing(suite: Suite) -> None:
    registry = suite.start_api("registry")
    suite.start_worker("registry")
    notifications = suite.start_api("notifications")
    suite.start_worker("notifications")

    schools = [register(registry, f"K{n}") for n in range(15)]
    suite.kill("notifications-worker")
    suite.kill("registry-worker")
    schools += [register(registry, f"L{n}") for n in range(15)]
    suite.start_worker("registry")
    suite.start_worker("notifications")

    streams = [f"school-{s['school_id']}" for s in schools]
    suite.wait_until(
        lambda: all(audit_of(notifications, s) for s in streams), "all 30 schools in the audit trail", 120
    )
    assert [len(audit_of(notifications, s)) for s in streams] == [1] * 30

"""No input yields a 500 on notifications: huge ids and pages, bodies too large."""

from __future__ import annotations

from pathlib import Path

from services.notifications.bootstrap import bootstrap, migrate
from services.notifications.wsgi import create_app
from shared.auth import mint_token
from tests.factories import TEST_SECRET, notifications_settings

ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'alice', 'academy_admin')}"}


def test_huge_numbers_and_bodies_get_clear_errors(tmp_path: Path, database_url: str) -> None:
    settings = notifications_settings(tmp_path, database_url=database_url)
    migrate(settings)
    service = bootstrap(settings)
    client = create_app(service).test_client()
    try:
        assert client.post("/inbox/" + "9" * 30 + "/read", headers=ADMIN).status_code == 404
        assert client.post(f"/inbox/{2**62}/read", headers=ADMIN).status_code in (400, 404)
        assert client.get("/audit/events", query_string={"page": "9" * 30}, headers=ADMIN).status_code == 422
        big = {"code": "HOABINH", "url": "https://example.vn/hook", "secret": "s" * (2 * 1024 * 1024)}
        response = client.post("/webhooks/subscriptions", json=big, headers=ADMIN)
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "request_entity_too_large"
    finally:
        service.close()

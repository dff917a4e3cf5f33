"""Registering and reading schools through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from services.registry.bootstrap import bootstrap, migrate
from services.registry.tables import events
from services.registry.wsgi import create_app
from shared.auth import mint_token
from tests.factories import TEST_SECRET, make_settings


@pytest.fixture
def registry(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = make_settings("registry", tmp_path, database_url=database_url)
    migrate(settings)
    registry = bootstrap(settings)
    yield registry
    registry.close()


@pytest.fixture
def client(registry) -> FlaskClient:  # type: ignore[no-untyped-def]
    return create_app(registry).test_client()


def auth(role: str = "academy_admin", tenant: str | None = None) -> dict[str, str]:
    """Return the Authorization header of a token in a role."""
    return {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'tester', role, tenant)}"}


def make_school(**overrides: Any) -> dict[str, Any]:
    """Return a valid school registration body."""
    body = {
        "code": "HB",
        "name": "Trường Chính trị tỉnh Hòa Bình",
        "kind": "provincial",
        "province": "Hòa Bình",
        "valid_from": "2021-01-01",
        "email": "thidua@tct.hoabinh.gov.vn",
    }
    body.update(overrides)
    return body


def stored_events(registry) -> list[str]:  # type: ignore[no-untyped-def]
    with registry.engine.connect() as conn:
        return list(conn.execute(sa.select(events.c.type).order_by(events.c.position)).scalars())


def test_an_admin_registers_a_school_and_the_event_is_stored(client: FlaskClient, registry) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/schools", json=make_school(), headers=auth())
    assert response.status_code == 201
    school = response.get_json()
    assert school["name"] == "Trường Chính trị tỉnh Hòa Bình"
    assert school["school_id"].startswith("sch_")
    assert stored_events(registry) == ["SchoolRegistered"]
    fetched = client.get(f"/schools/{school['school_id']}", headers=auth("operator"))
    assert fetched.get_json() == school


def test_a_duplicate_code_is_a_conflict_and_stores_nothing(client: FlaskClient, registry) -> None:  # type: ignore[no-untyped-def]
    client.post("/schools", json=make_school(), headers=auth())
    response = client.post("/schools", json=make_school(code="hb", name="Another"), headers=auth())
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_code"
    assert stored_events(registry) == ["SchoolRegistered"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (make_school(kind="university"), "kind"),
        (make_school(valid_from="5 March"), "valid_from"),
        (make_school(email="not-an-email"), "email"),
        ({"code": "X"}, "name"),
        (make_school(unexpected=True), "unexpected"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client, registry, body, field) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/schools", json=body, headers=auth())
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert stored_events(registry) == []


def test_a_body_that_is_not_json_is_a_clear_error(client: FlaskClient) -> None:
    response = client.post("/schools", data="code=HB", headers=auth(), content_type="text/plain")
    assert response.status_code in (400, 415, 422)
    assert "error" in response.get_json()


def test_an_unknown_school_is_404(client: FlaskClient) -> None:
    response = client.get("/schools/sch_missing", headers=auth("operator"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_only_an_admin_may_register_and_anyone_authenticated_may_read(client: FlaskClient, registry) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/schools", json=make_school(), headers=auth("operator")).status_code == 403
    assert (
        client.post("/schools", json=make_school(), headers=auth("school_officer", "sch_1")).status_code
        == 403
    )
    assert client.post("/schools", json=make_school()).status_code == 401
    assert client.get("/schools", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get("/schools", headers=auth("cluster_head", "cl_1")).status_code == 200
    assert stored_events(registry) == []


def test_the_school_list_filters_by_kind_and_pages(client: FlaskClient) -> None:
    for code in ("A1", "A2", "A3"):
        client.post("/schools", json=make_school(code=code), headers=auth())
    client.post(
        "/schools", json=make_school(code="M1", kind="ministry", province="Bộ Tư pháp"), headers=auth()
    )
    provincial = client.get("/schools?kind=provincial&per_page=2&page=2", headers=auth("operator")).get_json()
    assert [s["code"] for s in provincial] == ["A3"]
    ministry = client.get("/schools?kind=ministry", headers=auth("operator")).get_json()
    assert [s["code"] for s in ministry] == ["M1"]
    assert client.get("/schools?per_page=0", headers=auth("operator")).status_code == 422


def test_health_readiness_and_openapi_answer(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": True, "bus": True}
    spec = client.get("/openapi.json").get_json()
    assert "/schools" in spec["paths"]
    assert "SchoolIn" in spec["components"]["schemas"]


def test_a_correlation_id_is_echoed_and_stored_with_the_event(client: FlaskClient, registry) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/schools", json=make_school(), headers={**auth(), "X-Correlation-ID": "corr-42"})
    assert response.headers["X-Correlation-ID"] == "corr-42"
    with registry.engine.connect() as conn:
        metadata = conn.execute(sa.select(events.c.metadata)).scalar_one()
    assert metadata["correlation_id"] == "corr-42"
    assert metadata["actor"] == "academy_admin:tester"

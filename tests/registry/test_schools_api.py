"""Registering, changing, deactivating and merging schools through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from services.registry.service import Registry
from services.registry.tables import events
from tests.registry.conftest import auth, event_types, make_school, register


def test_an_admin_registers_a_school_and_the_event_is_stored(client: FlaskClient, registry: Registry) -> None:
    response = client.post("/schools", json=make_school(), headers=auth())
    assert response.status_code == 201
    school = response.get_json()
    assert school["name"] == "Trường Chính trị tỉnh Hòa Bình"
    assert school["school_id"].startswith("sch_")
    assert (school["status"], school["version"]) == ("active", 1)
    assert event_types(registry) == ["SchoolRegistered"]
    assert client.get(f"/schools/{school['school_id']}", headers=auth("operator")).get_json() == school


def test_a_duplicate_code_is_a_conflict_and_stores_nothing(client: FlaskClient, registry: Registry) -> None:
    client.post("/schools", json=make_school(), headers=auth())
    response = client.post("/schools", json=make_school(code="hb", name="Another"), headers=auth())
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_code"
    assert event_types(registry) == ["SchoolRegistered"]


def test_an_active_school_of_the_same_name_in_the_same_province_is_a_conflict(
    client: FlaskClient, registry: Registry
) -> None:
    first = client.post("/schools", json=make_school(), headers=auth()).get_json()
    twin = client.post(
        "/schools", json=make_school(code="HB2", name="trường chính trị tỉnh hòa bình "), headers=auth()
    )
    assert twin.status_code == 409
    assert twin.get_json()["error"]["code"] == "duplicate_school"
    assert twin.get_json()["error"]["details"]["school_id"] == first["school_id"]
    elsewhere = client.post("/schools", json=make_school(code="HB3", province="Phú Thọ"), headers=auth())
    assert elsewhere.status_code == 201  # the same name in another province is another school
    renamed = client.patch(
        f"/schools/{elsewhere.get_json()['school_id']}", json={"province": "Hòa Bình"}, headers=auth()
    )
    assert renamed.status_code == 409
    assert event_types(registry) == ["SchoolRegistered", "SchoolRegistered"]


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
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(
    client: FlaskClient, registry: Registry, body: dict[str, Any], field: str
) -> None:
    response = client.post("/schools", json=body, headers=auth())
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["json"]
    assert event_types(registry) == []


def test_a_body_that_is_not_json_is_a_clear_error(client: FlaskClient) -> None:
    response = client.post("/schools", data="code=HB", headers=auth(), content_type="text/plain")
    assert response.status_code in (400, 415, 422)
    assert "error" in response.get_json()


def test_an_unknown_school_is_404(client: FlaskClient) -> None:
    for path in ("/schools/sch_missing", "/schools/sch_missing/lineage"):
        response = client.get(path, headers=auth("operator"))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.patch("/schools/sch_missing", json={"name": "x"}, headers=auth()).status_code == 404


def test_only_an_admin_writes_and_anyone_authenticated_reads(client: FlaskClient, registry: Registry) -> None:
    assert client.post("/schools", json=make_school(), headers=auth("operator")).status_code == 403
    assert (
        client.post("/schools", json=make_school(), headers=auth("school_officer", "sch_1")).status_code
        == 403
    )
    assert client.post("/schools", json=make_school()).status_code == 401
    assert client.get("/schools", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get("/schools", headers=auth("cluster_head", "cl_1")).status_code == 200
    assert event_types(registry) == []


def test_the_school_list_filters_and_pages(client: FlaskClient) -> None:
    for code in ("A1", "A2", "A3"):
        register(client, code)
    register(client, "M1", kind="ministry", province="Bộ Tư pháp")
    register(client, "NEW", valid_from="2025-07-01")
    provincial = client.get("/schools?kind=provincial&per_page=2&page=2", headers=auth("operator")).get_json()
    assert [s["code"] for s in provincial] == ["A3", "NEW"]
    ministry = client.get("/schools?kind=ministry", headers=auth("operator")).get_json()
    assert [s["code"] for s in ministry] == ["M1"]
    in_2023 = client.get("/schools?year=2023", headers=auth("operator")).get_json()
    assert "NEW" not in [s["code"] for s in in_2023]
    assert client.get("/schools?per_page=0", headers=auth("operator")).status_code == 422


def test_an_update_records_only_what_changed_and_a_stale_version_is_409(
    client: FlaskClient, registry: Registry
) -> None:
    school_id = register(client, "HB")
    response = client.patch(
        f"/schools/{school_id}", json={"phone": "0218 3852 111", "expected_version": 1}, headers=auth()
    )
    assert response.status_code == 200
    assert (response.get_json()["phone"], response.get_json()["version"]) == ("0218 3852 111", 2)
    stale = client.patch(
        f"/schools/{school_id}", json={"name": "Tên mới", "expected_version": 1}, headers=auth()
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "version_conflict"
    unchanged = client.patch(f"/schools/{school_id}", json={"phone": "0218 3852 111"}, headers=auth())
    assert unchanged.get_json()["version"] == 2
    assert event_types(registry) == ["SchoolRegistered", "SchoolUpdated"]


def test_a_deactivated_school_cannot_be_changed(client: FlaskClient) -> None:
    school_id = register(client, "HB")
    body = {"valid_to": "2025-06-30", "reason": "Sáp nhập tỉnh"}
    response = client.post(f"/schools/{school_id}/deactivation", json=body, headers=auth())
    assert (response.get_json()["status"], response.get_json()["valid_to"]) == ("deactivated", "2025-06-30")
    again = client.post(f"/schools/{school_id}/deactivation", json=body, headers=auth())
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "school_no_longer_exists"
    early = register(client, "X2")
    too_early = client.post(
        f"/schools/{early}/deactivation", json={**body, "valid_to": "2020-01-01"}, headers=auth()
    )
    assert too_early.status_code == 422


def test_a_merge_into_a_new_successor_keeps_each_predecessors_history_under_it(
    client: FlaskClient, registry: Registry
) -> None:
    phu_tho, vinh_phuc, hoa_binh = (register(client, c) for c in ("PT", "VP", "HB"))
    body = {
        "predecessor_ids": [phu_tho, vinh_phuc, hoa_binh],
        "new_successor": make_school(
            code="PT-2025", name="Trường Chính trị tỉnh Phú Thọ", valid_from="2025-07-01"
        ),
        "effective_date": "2025-07-01",
        "legal_basis": "Nghị quyết số 202/2025/QH15",
    }
    response = client.post("/schools/merges", json=body, headers=auth())
    assert response.status_code == 201, response.get_json()
    successor = response.get_json()
    lineage = client.get(f"/schools/{successor['school_id']}/lineage", headers=auth("operator")).get_json()
    assert sorted(p["school_id"] for p in lineage["predecessors"]) == sorted([phu_tho, vinh_phuc, hoa_binh])
    assert all(p["valid_to"] == "2025-06-30" and p["status"] == "merged" for p in lineage["predecessors"])
    upward = client.get(f"/schools/{hoa_binh}/lineage", headers=auth("operator")).get_json()
    assert [s["school_id"] for s in upward["successors"]] == [successor["school_id"]]
    assert event_types(registry)[-2:] == ["SchoolRegistered", "SchoolsMerged"]


def test_a_merge_with_a_school_that_no_longer_exists_is_422_and_stores_nothing(
    client: FlaskClient, registry: Registry
) -> None:
    first, second, target = (register(client, c) for c in ("A", "B", "T"))
    merge = {
        "predecessor_ids": [first],
        "successor_id": target,
        "effective_date": "2025-07-01",
        "legal_basis": "NQ",
    }
    assert client.post("/schools/merges", json=merge, headers=auth()).status_code == 201
    before = event_types(registry)
    again = client.post("/schools/merges", json={**merge, "predecessor_ids": [first, second]}, headers=auth())
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "school_no_longer_exists"
    unknown = client.post("/schools/merges", json={**merge, "predecessor_ids": ["sch_nope"]}, headers=auth())
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["code"] == "unknown_school"
    both = client.post(
        "/schools/merges", json={**merge, "new_successor": make_school(code="Z")}, headers=auth()
    )
    assert both.status_code == 422
    into_itself = client.post("/schools/merges", json={**merge, "predecessor_ids": [target]}, headers=auth())
    assert into_itself.status_code == 422
    assert event_types(registry) == before


def test_a_correlation_id_is_echoed_and_stored_with_the_event(
    client: FlaskClient, registry: Registry
) -> None:
    response = client.post("/schools", json=make_school(), headers={**auth(), "X-Correlation-ID": "corr-42"})
    assert response.headers["X-Correlation-ID"] == "corr-42"
    with registry.engine.connect() as conn:
        metadata = conn.execute(sa.select(events.c.metadata)).scalar_one()
    assert metadata["correlation_id"] == "corr-42"
    assert metadata["actor"] == "academy_admin:tester"


def test_health_readiness_and_openapi_answer(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": True, "bus": True}
    spec = client.get("/openapi.json").get_json()
    assert {"/schools", "/schools/merges", "/clusters", "/campaigns/{year}"} <= set(spec["paths"])
    assert "SchoolIn" in spec["components"]["schemas"]

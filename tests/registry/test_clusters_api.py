"""Clusters per year through the HTTP API: members, one cluster per school and year, leadership."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from services.registry.service import Registry
from tests.registry.conftest import auth, event_types, register


@pytest.fixture
def schools(client: FlaskClient) -> list[str]:
    return [register(client, code) for code in ("S1", "S2", "S3", "S4", "S5")]


def form(client: FlaskClient, members: list[str], **overrides: Any):  # type: ignore[no-untyped-def]
    body = {
        "year": 2023,
        "name": "Cụm Trung du miền núi phía Bắc",
        "region": "Bắc",
        "member_school_ids": members,
    }
    body.update(overrides)
    return client.post("/clusters", json=body, headers=auth())


def test_a_cluster_is_formed_with_members_and_leadership_in_one_go(
    client: FlaskClient, registry: Registry, schools: list[str]
) -> None:
    response = form(
        client, schools[:4], head_school_id=schools[0], deputy_school_ids=[schools[1], schools[2]]
    )
    assert response.status_code == 201, response.get_json()
    cluster = response.get_json()
    assert cluster["member_ids"] == sorted(schools[:4])
    assert (cluster["head_school_id"], cluster["deputy_school_ids"]) == (schools[0], [schools[1], schools[2]])
    assert event_types(registry)[5:] == ["ClusterFormed"] + ["SchoolJoinedCluster"] * 4 + [
        "ClusterLeadershipAssigned"
    ]
    listed = client.get("/clusters?year=2023", headers=auth("operator")).get_json()
    assert [c["cluster_id"] for c in listed] == [cluster["cluster_id"]]
    assert client.get("/clusters?year=2024", headers=auth("operator")).get_json() == []
    members = client.get(f"/schools?cluster_id={cluster['cluster_id']}", headers=auth("operator")).get_json()
    assert sorted(s["school_id"] for s in members) == sorted(schools[:4])


def test_a_school_in_two_clusters_in_one_year_is_409_but_another_year_is_fine(
    client: FlaskClient, registry: Registry, schools: list[str]
) -> None:
    form(client, schools[:2])
    before = event_types(registry)
    clash = form(client, [schools[1], schools[2]], name="Cụm khác")
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "school_in_another_cluster"
    assert event_types(registry) == before
    assert form(client, [schools[1]], name="Cụm khác", year=2024).status_code == 201


def test_a_head_or_deputy_who_is_not_a_member_is_422_and_nothing_is_stored(
    client: FlaskClient, registry: Registry, schools: list[str]
) -> None:
    before = event_types(registry)
    outsider = form(client, schools[:2], head_school_id=schools[4], deputy_school_ids=[schools[1]])
    assert outsider.status_code == 422
    assert outsider.get_json()["error"]["code"] == "leader_not_member"
    no_deputy = form(client, schools[:2], head_school_id=schools[0], deputy_school_ids=[])
    assert no_deputy.status_code == 422
    three = form(client, schools[:4], head_school_id=schools[0], deputy_school_ids=schools[1:4])
    assert three.status_code == 422
    assert event_types(registry) == before


def test_an_unknown_school_or_cluster_is_reported(client: FlaskClient, schools: list[str]) -> None:
    unknown_member = form(client, [schools[0], "sch_nope"])
    assert unknown_member.status_code == 422
    assert unknown_member.get_json()["error"]["code"] == "unknown_school"
    assert client.get("/clusters/cl_nope", headers=auth("operator")).status_code == 404
    assert (
        client.post("/clusters/cl_nope/members", json={"school_id": schools[0]}, headers=auth()).status_code
        == 404
    )


def test_a_school_that_did_not_exist_that_year_cannot_join(client: FlaskClient) -> None:
    late = register(client, "LATE", valid_from="2025-07-01")
    response = form(client, [late])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "school_not_in_year"


def test_members_join_and_leave_but_a_leader_must_be_replaced_first(
    client: FlaskClient, schools: list[str]
) -> None:
    cluster = form(client, schools[:3], head_school_id=schools[0], deputy_school_ids=[schools[1]]).get_json()
    path = f"/clusters/{cluster['cluster_id']}"
    joined = client.post(f"{path}/members", json={"school_id": schools[3]}, headers=auth())
    assert joined.status_code == 201
    assert schools[3] in joined.get_json()["member_ids"]
    again = client.post(f"{path}/members", json={"school_id": schools[3]}, headers=auth())
    assert again.status_code == 409
    assert client.delete(f"{path}/members/{schools[0]}", headers=auth()).status_code == 422
    left = client.delete(f"{path}/members/{schools[2]}", headers=auth())
    assert schools[2] not in left.get_json()["member_ids"]
    assert client.delete(f"{path}/members/{schools[2]}", headers=auth()).status_code == 422


def test_the_academy_confirms_leadership_and_a_stale_version_is_409(
    client: FlaskClient, schools: list[str]
) -> None:
    cluster = form(client, schools[:4]).get_json()
    path = f"/clusters/{cluster['cluster_id']}/leadership"
    body = {
        "head_school_id": schools[2],
        "deputy_school_ids": [schools[3]],
        "decision": "Quyết định số 123/QĐ-HVCTQG",
    }
    stale = client.put(path, json={**body, "expected_version": cluster["version"] - 1}, headers=auth())
    assert stale.status_code == 409
    confirmed = client.put(path, json={**body, "expected_version": cluster["version"]}, headers=auth())
    assert confirmed.status_code == 200
    assert confirmed.get_json()["head_school_id"] == schools[2]
    assert client.put(path, json=body, headers=auth("cluster_head", cluster["cluster_id"])).status_code == 403


def test_the_cluster_list_is_a_document_a_client_holding_it_gets_304_until_a_member_joins(
    client: FlaskClient, schools: list[str]
) -> None:
    cluster = form(client, schools[:2]).get_json()
    first = client.get("/clusters?year=2023", headers=auth("operator"))
    etag = first.headers["ETag"]
    held = client.get("/clusters?year=2023", headers={**auth("operator"), "If-None-Match": etag})
    assert (held.status_code, held.data) == (304, b"")
    joined = client.post(
        f"/clusters/{cluster['cluster_id']}/members", json={"school_id": schools[2]}, headers=auth()
    )
    assert joined.status_code in (200, 201), joined.get_json()
    changed = client.get("/clusters?year=2023", headers={**auth("operator"), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()[0]["member_ids"] == sorted(schools[:3])

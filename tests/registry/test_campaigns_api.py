"""Campaigns through the HTTP API: data-driven rules, amendments until the first deadline, extensions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.registry.service import Registry
from tests.registry.conftest import auth, event_types, make_campaign, register


def open_campaign(client: FlaskClient, content: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return client.post("/campaigns", json=content or make_campaign(), headers=auth())


def at(registry: Registry, moment: str) -> None:
    """Set the registry's clock."""
    registry.clock = lambda: datetime.fromisoformat(moment).astimezone(UTC)


def test_the_2023_campaign_opens_with_every_deadline_of_the_letter(
    client: FlaskClient, registry: Registry
) -> None:
    response = open_campaign(client)
    assert response.status_code == 201, response.get_json()
    content = response.get_json()["content"]
    assert content["theme"] == "Chủ động - Đồng bộ - Đột phá - Kỷ cương - Chất lượng - Hiệu quả"
    dues = {d["code"]: d["due"] for d in content["deadlines"]}
    assert dues["PLAN"] == "2023-03-05"
    assert dues["CLUSTER_DOSSIER"] == "2023-11-30"
    assert [t["code"] for t in content["targets"]][:9] == [f"T{n}" for n in range(1, 9)] + ["T8b"]
    assert event_types(registry) == ["CampaignOpened"]
    assert (
        client.get("/campaigns/2023", headers=auth("school_officer", "sch_1")).get_json()["content"]
        == content
    )


def test_a_second_campaign_for_a_year_is_409(client: FlaskClient) -> None:
    open_campaign(client)
    response = open_campaign(client)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "campaign_exists"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda c: c["deadlines"].reverse(), "deadlines_out_of_order"),
        (lambda c: c["deadlines"][-1].update(due="2024-01-15"), "deadline_outside_year"),
        (lambda c: c["deadlines"].append(dict(c["deadlines"][-1])), "duplicate_deadline"),
        (lambda c: c["score_sheets"][0]["groups"][0]["items"][0].update(max_points=9), "score_sheet_total"),
        (lambda c: c["targets"][4].update(minimum=0.2), "bad_target"),
    ],
)
def test_a_campaign_whose_rules_do_not_hold_together_is_422(
    client: FlaskClient, registry: Registry, change: Any, code: str
) -> None:
    content = make_campaign()
    change(content)
    response = open_campaign(client, content)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert event_types(registry) == []


def test_a_malformed_campaign_is_422_naming_the_field(client: FlaskClient) -> None:
    content = make_campaign()
    content["deadlines"][0]["filer"] = "everyone"
    response = open_campaign(client, content)
    assert response.status_code == 422
    assert "deadlines" in response.get_json()["error"]["details"]["json"]


def test_a_campaign_can_be_amended_until_its_first_deadline(client: FlaskClient, registry: Registry) -> None:
    open_campaign(client)
    amended = make_campaign()
    amended["award_rules"]["merit_quota"] = 3
    at(registry, "2023-03-05T23:30:00+07:00")  # still the deadline day in Vietnam
    response = client.put("/campaigns/2023", json={**amended, "expected_version": 1}, headers=auth())
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["content"]["award_rules"]["merit_quota"] == 3
    stale = client.put("/campaigns/2023", json={**amended, "expected_version": 1}, headers=auth())
    assert stale.status_code == 409
    at(registry, "2023-03-06T00:10:00+07:00")
    late = client.put("/campaigns/2023", json=amended, headers=auth())
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "campaign_locked"
    assert event_types(registry) == ["CampaignOpened", "CampaignAmended"]


def test_a_deadline_can_be_extended_but_never_shortened(client: FlaskClient, registry: Registry) -> None:
    open_campaign(client)
    path = "/campaigns/2023/deadlines/YEAR_END_REPORT/extension"
    extended = client.post(
        path, json={"due": "2023-11-08", "reason": "Theo đề nghị của các cụm"}, headers=auth()
    )
    assert extended.status_code == 200
    dues = {d["code"]: d["due"] for d in extended.get_json()["content"]["deadlines"]}
    assert dues["YEAR_END_REPORT"] == "2023-11-08"
    shortened = client.post(path, json={"due": "2023-11-01", "reason": "x"}, headers=auth())
    assert shortened.status_code == 422
    assert shortened.get_json()["error"]["code"] == "deadline_shortened"
    next_year = client.post(path, json={"due": "2024-01-10", "reason": "x"}, headers=auth())
    assert next_year.status_code == 422
    unknown = client.post(
        "/campaigns/2023/deadlines/NOPE/extension", json={"due": "2023-12-01", "reason": "x"}, headers=auth()
    )
    assert unknown.status_code == 422
    assert (
        client.post(
            "/campaigns/2031/deadlines/PLAN/extension",
            json={"due": "2031-12-01", "reason": "x"},
            headers=auth(),
        ).status_code
        == 404
    )
    assert event_types(registry) == ["CampaignOpened", "DeadlineExtended"]


def test_a_deadline_is_extended_for_one_school_of_the_year_and_no_one_else(
    client: FlaskClient, registry: Registry
) -> None:
    open_campaign(client)
    member, outsider = register(client, "A"), register(client, "B")
    cluster = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [member]}
    assert client.post("/clusters", json=cluster, headers=auth()).status_code == 201
    path = "/campaigns/2023/deadlines/PLAN/extension"
    body = {"due": "2023-03-20", "reason": "Trường bị ảnh hưởng bởi lũ", "filer_id": member}
    extended = client.post(path, json=body, headers=auth())
    assert extended.status_code == 200, extended.get_json()
    plan = next(d for d in extended.get_json()["content"]["deadlines"] if d["code"] == "PLAN")
    assert (plan["due"], plan["extended_for"]) == ("2023-03-05", {member: "2023-03-20"})
    refused = client.post(path, json={**body, "filer_id": outsider}, headers=auth())
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (422, "not_a_filer")
    assert event_types(registry).count("DeadlineExtended") == 1


def test_an_unknown_year_is_404(client: FlaskClient) -> None:
    response = client.get("/campaigns/2031", headers=auth("operator"))
    assert response.status_code == 404
    assert response.get_json()["error"]["details"] == {"year": 2031}


def test_a_year_opens_as_a_copy_of_the_last_with_its_deadlines_moved_and_a_new_theme(
    client: FlaskClient, registry: Registry
) -> None:
    assert open_campaign(client).status_code == 201
    preview = client.get("/campaigns/2023/copy?into=2024", headers=auth())
    assert preview.status_code == 200, preview.get_json()
    body = {
        "year": 2024,
        "from_year": 2023,
        "theme": "Đoàn kết - Sáng tạo",
        "legal_basis": "Hướng dẫn 2024",
        "opened_on": "2024-01-20",
    }
    opened = client.post("/campaigns", json=body, headers=auth())
    assert opened.status_code == 201, opened.get_json()
    content, last = opened.get_json()["content"], make_campaign(2023)
    assert (content["year"], content["theme"], content["legal_basis"]) == (
        2024,
        body["theme"],
        body["legal_basis"],
    )
    assert [d["due"] for d in content["deadlines"]] == [f"2024{d['due'][4:]}" for d in last["deadlines"]]
    assert content["targets"] == preview.get_json()["content"]["targets"]
    assert len(content["targets"]) == len(last["targets"]) and content["score_sheets"][0]["groups"]
    assert event_types(registry).count("CampaignOpened") == 2
    again = client.post("/campaigns", json=body, headers=auth())
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "campaign_exists")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"year": 2024, "from_year": 2022, "theme": "Chủ đề"}, 404),  # no campaign in 2022
        ({"year": 2024, "from_year": 2023}, 422),  # a copy needs its theme
        ({"year": 2022, "from_year": 2023, "theme": "Chủ đề"}, 422),  # only into a later year
        ({"year": 2024, "from_year": 2023, "theme": "Chủ đề", "targets": []}, 422),  # copy or content
        ({"year": 2024, "theme": "Chủ đề"}, 422),  # no copy: the whole content is needed
    ],
)
def test_a_copy_is_refused_without_its_source_theme_or_a_later_year(
    client: FlaskClient, registry: Registry, body: dict[str, Any], status: int
) -> None:
    assert open_campaign(client).status_code == 201
    refused = client.post("/campaigns", json=body, headers=auth())
    assert refused.status_code == status, refused.get_json()
    assert event_types(registry).count("CampaignOpened") == 1


def test_29_february_is_carried_to_28_february() -> None:
    from services.registry.domain.campaigns import carried_into

    previous = {"year": 2024, "theme": "x", "deadlines": [{"code": "A", "due": "2024-02-29"}]}
    assert carried_into(previous, 2025, "y")["deadlines"] == [{"code": "A", "due": "2025-02-28"}]


def test_only_the_academy_opens_a_year_and_extends_its_deadlines_whoever_asks(
    client: FlaskClient, registry: Registry
) -> None:
    member = register(client, "A")
    cluster = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [member]}
    cluster_id = client.post("/clusters", json=cluster, headers=auth()).get_json()["cluster_id"]
    content = make_campaign()
    content["opened_on"] = "2023-02-20"
    extension = {"due": "2023-03-20", "reason": "Trường bị ảnh hưởng bởi lũ"}
    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("open", "/campaigns", content),
        ("extend for all", "/campaigns/2023/deadlines/PLAN/extension", extension),
        (
            "extend for one",
            "/campaigns/2023/deadlines/PLAN/extension",
            {**extension, "filer_id": member, "due": "2023-03-25"},
        ),
    ]
    refused: list[tuple[str, str | None]] = [
        # every role but the Academy's, the school concerned and its cluster included
        ("operator", None),
        ("cluster_head", cluster_id),
        ("school_officer", member),
        ("provincial_viewer", "A"),
        ("integration", "A"),
    ]
    for what, path, body in asks:
        before = event_types(registry)
        for role, tenant in refused:
            answer = client.post(path, json=body, headers=auth(role, tenant))
            assert answer.status_code == 403, (what, role, tenant, answer.get_json())
            assert answer.get_json()["error"]["code"] == "forbidden", (what, role, tenant)
        assert event_types(registry) == before, f"a refused {what} changes nothing"
        granted = client.post(path, json=body, headers=auth("academy_admin"))
        assert granted.status_code in (200, 201), (what, granted.get_json())
    assert event_types(registry)[-3:] == ["CampaignOpened", "DeadlineExtended", "DeadlineExtended"]


def test_a_campaign_is_a_document_a_client_holding_it_gets_304_until_it_changes(
    client: FlaskClient, registry: Registry
) -> None:
    open_campaign(client)
    first = client.get("/campaigns/2023", headers=auth("operator"))
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.get_json()["year"] == 2023
    held = client.get("/campaigns/2023", headers={**auth("operator"), "If-None-Match": etag})
    assert (held.status_code, held.data, held.headers["ETag"]) == (304, b"", etag)
    at(registry, "2023-03-01T09:00:00+07:00")
    amended = make_campaign()
    amended["award_rules"]["merit_quota"] = 3
    assert client.put("/campaigns/2023", json=amended, headers=auth()).status_code == 200
    changed = client.get("/campaigns/2023", headers={**auth("operator"), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["content"]["award_rules"]["merit_quota"] == 3
    unknown = client.get("/campaigns/2024", headers={**auth("operator"), "If-None-Match": etag})
    assert unknown.status_code == 404

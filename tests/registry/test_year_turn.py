"""The year turns: a dossier's nomination reaches the registry, the Academy confirms it, and next year's
clusters are formed with members carried through a merger and the confirmed leadership."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.registry.bootstrap import nominations_runner
from services.registry.contracts import CONSUMED
from services.registry.domain.year_turn import carrier_on, carry_forward, confirm_next_leadership
from services.registry.policies.nominations import NominationsInbox
from services.registry.service import Registry
from services.registry.tables import processed_events
from services.vocabulary import SUBMISSIONS_TOPIC
from shared.bus import OutgoingRecord
from shared.consumer import ConsumerRunner
from shared.envelope import Envelope
from shared.errors import RuleBroken
from tests.factories import renamed, with_next_version
from tests.registry.conftest import auth, event_types, make_school, register


def row(school_id: str, until: str | None = None, successor: str | None = None) -> dict[str, Any]:
    status = "active" if until is None else "merged"
    valid_to = date.fromisoformat(until) if until else None
    return {"school_id": school_id, "status": status, "valid_to": valid_to, "successor_id": successor}


SCHOOLS = {
    "a": row("a"),
    "b": row("b"),
    "c": row("c", "2023-12-31", "e"),  # merged into e on 1 January 2024
    "d": row("d", "2023-12-31", "e"),
    "e": row("e"),
    "f": row("f", "2023-12-31"),  # closed without a successor
    "g": row("g", "2024-06-30", "a"),  # merged into a mid-2024: still itself on 1 January 2024
}


@pytest.mark.parametrize(
    ("school", "carrier"),
    [("a", "a"), ("c", "e"), ("d", "e"), ("f", None), ("g", "g"), ("unknown", None)],
)
def test_the_school_that_carries_a_schools_work_on_the_first_day_of_the_year(
    school: str, carrier: str | None
) -> None:
    assert carrier_on(school, SCHOOLS, date(2024, 1, 1)) == carrier


@pytest.mark.parametrize(
    ("case", "members", "confirmed", "taken", "expected"),
    [
        (
            "members carried through a merger, leadership as confirmed",
            ["a", "b", "c", "d", "f"],
            {"head_school_id": "a", "deputy_school_ids": ["c"]},
            set(),
            (["a", "b", "e"], {"c": "e", "d": "e"}, ["f"], ("a", ["e"])),
        ),
        (
            "a confirmed deputy closed without a successor: no leadership carried",
            ["a", "b", "f"],
            {"head_school_id": "a", "deputy_school_ids": ["f"]},
            set(),
            (["a", "b"], {}, ["f"], None),
        ),
        (
            "head and deputy became one school: no leadership carried",
            ["a", "c", "d"],
            {"head_school_id": "c", "deputy_school_ids": ["d"]},
            set(),
            (["a", "e"], {"c": "e", "d": "e"}, [], None),
        ),
        (
            "a school placed already in the year is not placed twice",
            ["a", "b"],
            None,
            {"b"},
            (["a"], {}, [], None),
        ),
    ],
)
def test_a_cluster_carried_into_the_next_year(
    case: str,
    members: list[str],
    confirmed: dict[str, Any] | None,
    taken: set[str],
    expected: tuple[list[str], dict[str, str], list[str], tuple[str, list[str]] | None],
) -> None:
    carried = carry_forward(members, confirmed, SCHOOLS, taken, 2024)
    assert (carried.members, carried.mapped, carried.dropped, carried.leadership) == expected, case


CLUSTER = {"cluster_id": "cl", "year": 2023}
NOMINATED = {"head_school_id": "b", "deputy_school_ids": ["a"]}


@pytest.mark.parametrize(
    ("case", "nomination", "head", "deputies", "expected"),
    [
        ("as nominated", NOMINATED, None, None, ("b", ["a"], True)),
        ("others named by the Academy", NOMINATED, "a", ["c"], ("a", ["c"], False)),
        ("no nomination, named by the Academy", None, "a", ["b"], ("a", ["b"], False)),
        ("no nomination, none named", None, None, None, "no_nomination"),
        ("no nomination, a head named without deputies", None, "a", None, "no_nomination"),
        ("a nomination, only the head replaced", NOMINATED, "c", None, ("c", ["a"], False)),
        ("a non-member named", NOMINATED, "x", ["a"], "leader_not_member"),
    ],
)
def test_the_academy_confirms_next_years_leadership(
    case: str,
    nomination: dict[str, Any] | None,
    head: str | None,
    deputies: list[str] | None,
    expected: tuple[str, list[str], bool] | str,
) -> None:
    if isinstance(expected, str):
        with pytest.raises(RuleBroken) as refused:
            confirm_next_leadership(CLUSTER, ["a", "b", "c"], nomination, head, deputies, "QĐ 12")
        assert refused.value.code == expected, case
        return
    data = confirm_next_leadership(CLUSTER, ["a", "b", "c"], nomination, head, deputies, "QĐ 12").data
    assert (data["head_school_id"], data["deputy_school_ids"], data["as_nominated"]) == expected, case
    assert data["next_year"] == 2024


def dossier(cluster_id: str, head: str, deputies: list[str]) -> OutgoingRecord:
    """Return a ClusterDossierFiled of 2023 as submissions publishes it."""
    data = {
        "submission_id": "sub_dossier",
        "year": 2023,
        "form": "HO_SO_CUM",
        "filer_type": "cluster",
        "filer_id": cluster_id,
        "cluster_id": cluster_id,
        "filed_at": "2023-11-28T03:00:00+00:00",
        "payload": {"nomination": {"head_school_id": head, "deputy_school_ids": deputies}},
    }
    envelope = Envelope("ClusterDossierFiled", "submissions", "filing-sub_dossier", data, stream_version=1)
    return OutgoingRecord(SUBMISSIONS_TOPIC, *envelope.to_record())


def test_a_year_turns_with_the_nomination_confirmed_and_a_merger_in_between(
    client: FlaskClient, registry: Registry
) -> None:
    a, b, c, d = (register(client, code) for code in ("A", "B", "C", "D"))
    body = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [a, b, c, d]}
    body |= {"head_school_id": a, "deputy_school_ids": [b], "decision": "QĐ 1/2023"}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]

    registry.bus.ensure_topics([SUBMISSIONS_TOPIC])
    registry.bus.publish([dossier(cluster, c, [d])])
    runner = nominations_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.run_until_caught_up(timeout=60)  # a second pass over the same dossier changes nothing
    runner.close()
    nomination = client.get(f"/clusters/{cluster}/nomination", headers=auth("operator")).get_json()
    assert nomination["nominated"] == {"head_school_id": c, "deputy_school_ids": [d]}
    assert nomination["confirmed"] is None
    assert event_types(registry).count("NextYearLeadershipNominated") == 1

    refused = client.post(f"/clusters/{cluster}/nomination/confirm", json={}, headers=auth())
    assert refused.status_code == 422  # the decision is required
    not_yours = client.post(
        f"/clusters/{cluster}/nomination/confirm",
        json={"decision": "QĐ"},
        headers=auth("cluster_head", cluster),
    )
    assert not_yours.status_code == 403
    confirmed = client.post(
        f"/clusters/{cluster}/nomination/confirm", json={"decision": "QĐ 7/2024"}, headers=auth()
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["confirmed"] == {"head_school_id": c, "deputy_school_ids": [d]}

    merged = {
        "predecessor_ids": [d],
        "successor_id": b,
        "effective_date": "2024-01-01",
        "legal_basis": "Quyết định sáp nhập",
    }
    assert client.post("/schools/merges", json=merged, headers=auth()).status_code == 201

    carried = client.post("/clusters/carry-forward", json={"year": 2024}, headers=auth())
    assert carried.status_code == 201, carried.get_json()
    (next_year,) = carried.get_json()
    assert next_year["year"] == 2024 and next_year["carried_from"] == cluster
    assert next_year["member_ids"] == sorted([a, b, c])
    assert next_year["mapped"] == {d: b}
    assert (next_year["head_school_id"], next_year["deputy_school_ids"]) == (c, [b])
    assert next_year["name"] == "Cụm Tây Bắc"
    again = client.post("/clusters/carry-forward", json={"year": 2024}, headers=auth())
    assert again.status_code == 201 and again.get_json() == []

    years = client.get(f"/schools/{b}/years", headers=auth("operator")).get_json()
    assert years["absorbed"] == [d]
    assert [(y["year"], y["school_id"], y["via"], y["role"]) for y in years["years"]] == sorted(
        [(2023, b, "self", "deputy"), (2023, d, "predecessor", "member"), (2024, b, "self", "deputy")]
    )


def test_a_school_registered_in_the_new_year_is_not_in_last_years_cluster(client: FlaskClient) -> None:
    a = register(client, "A")
    late = client.post(
        "/schools", json=make_school(code="N", name="Trường mới", valid_from="2024-03-01"), headers=auth()
    )
    assert late.status_code == 201
    body = {"year": 2023, "name": "Cụm", "region": "Bắc", "member_school_ids": [a]}
    assert client.post("/clusters", json=body, headers=auth()).status_code == 201
    (carried,) = client.post("/clusters/carry-forward", json={"year": 2024}, headers=auth()).get_json()
    assert carried["member_ids"] == [a] and carried["head_school_id"] is None


def test_a_dossier_of_version_1_still_nominates_after_version_2_is_declared(
    client: FlaskClient, registry: Registry
) -> None:
    a, b = (register(client, code) for code in ("A", "B"))
    body = {"year": 2023, "name": "Cụm", "region": "Bắc", "member_school_ids": [a, b]}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    old = dossier(cluster, a, [b])
    envelope = Envelope.from_record(old.key, old.headers, old.value)
    data = {("noi_dung" if k == "payload" else k): v for k, v in envelope.data.items()}  # version 1's name
    registry.bus.ensure_topics([SUBMISSIONS_TOPIC])
    registry.bus.publish([OutgoingRecord(SUBMISSIONS_TOPIC, *replace(envelope, data=data).to_record())])
    catalogue = with_next_version(CONSUMED, "ClusterDossierFiled", renamed(noi_dung="payload"))
    runner = ConsumerRunner(
        NominationsInbox(registry), registry.engine, processed_events, registry.bus, catalogue
    )
    runner.run_until_caught_up(timeout=60)
    runner.close()
    assert runner.stats.dead_lettered == 0
    nomination = client.get(f"/clusters/{cluster}/nomination", headers=auth("operator")).get_json()
    assert nomination["nominated"] == {"head_school_id": a, "deputy_school_ids": [b]}


def _carried_cluster(client: FlaskClient, members: list[str], head: str, deputies: list[str]) -> str:
    """Form a 2023 cluster led by ``head``, confirm that leadership for 2024, and carry it into 2024."""
    body = {"year": 2023, "name": "Cụm Đông Bắc", "region": "Bắc", "member_school_ids": members}
    body |= {"head_school_id": head, "deputy_school_ids": deputies, "decision": "QĐ 1/2023"}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    confirm = {"head_school_id": head, "deputy_school_ids": deputies, "decision": "QĐ 2/2024"}
    assert (
        client.post(f"/clusters/{cluster}/nomination/confirm", json=confirm, headers=auth()).status_code
        == 200
    )
    (carried,) = client.post("/clusters/carry-forward", json={"year": 2024}, headers=auth()).get_json()
    return str(carried["cluster_id"])


def _merge(client: FlaskClient, predecessors: list[str], successor: str, effective: str) -> None:
    body = {"predecessor_ids": predecessors, "successor_id": successor, "effective_date": effective}
    merged = client.post(
        "/schools/merges", json={**body, "legal_basis": "Quyết định sáp nhập"}, headers=auth()
    )
    assert merged.status_code == 201, merged.get_json()


def test_a_merger_after_the_carry_forward_brings_the_successor_in_with_the_role_it_takes_over(
    client: FlaskClient,
) -> None:
    a, b, c, e = (register(client, code, valid_from="2020-01-01") for code in ("A", "B", "C", "E"))
    next_year = _carried_cluster(client, [a, b, c], a, [b])
    _merge(client, [b], e, "2024-03-01")  # the deputy merges into a school of no cluster
    cluster = client.get(f"/clusters/{next_year}", headers=auth()).get_json()
    assert sorted(cluster["member_ids"]) == sorted([a, c, e])
    assert (cluster["head_school_id"], cluster["deputy_school_ids"]) == (a, [e])
    changed = {"head_school_id": e, "deputy_school_ids": [c], "decision": "QĐ 3/2024"}
    assert client.put(f"/clusters/{next_year}/leadership", json=changed, headers=auth()).status_code == 200


def test_a_merger_of_head_and_deputy_leaves_the_roles_vacant_for_the_academy(client: FlaskClient) -> None:
    a, b, c = (register(client, code, valid_from="2020-01-01") for code in ("A", "B", "C"))
    next_year = _carried_cluster(client, [a, b, c], a, [b])
    _merge(client, [a, b], c, "2024-02-01")  # head and deputy become the third member: not one of each
    cluster = client.get(f"/clusters/{next_year}", headers=auth()).get_json()
    assert cluster["member_ids"] == [c]
    assert (cluster["head_school_id"], cluster["deputy_school_ids"]) == (None, [])


def test_carrying_forward_into_a_year_with_a_cluster_of_the_same_name_is_409_and_changes_nothing(
    client: FlaskClient, registry: Registry
) -> None:
    a, b = register(client, "A"), register(client, "B")
    for year, member in ((2023, a), (2024, b)):
        body = {"year": year, "name": "Cụm trùng tên", "region": "Bắc", "member_school_ids": [member]}
        assert client.post("/clusters", json=body, headers=auth()).status_code == 201
    before = event_types(registry)
    refused = client.post("/clusters/carry-forward", json={"year": 2024}, headers=auth())
    assert refused.status_code == 409
    assert refused.get_json()["error"]["details"]["names"] == ["Cụm trùng tên"]
    assert event_types(registry) == before

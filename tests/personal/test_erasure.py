"""Crypto-shredding in submissions: personal fields are stored sealed, read in clear by who may, found and
exported for the Academy, erased by destroying one key (the others untouched), and rotated."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from services.submissions.app import personal
from services.submissions.tables import events, personal_keys, submissions
from shared.personal import ERASED, PREFIX, KeyRing, MasterKeys, is_sealed
from tests.submissions.conftest import CLUSTER, HOA_BINH, PHU_THO, World, auth, file, head

LAN = {"name": "Nguyễn Thị Lan", "position": "Chánh Văn phòng", "email": "lan@tct.hoabinh.gov.vn"}
MINH = {"name": "Trần Văn Minh", "position": "Phó Chánh Văn phòng", "email": "minh@tct.phutho.gov.vn"}
CLEAR = [*LAN.values(), *MINH.values(), "0218 3852 000", "0210 3846 111"]


def officers() -> dict[str, Any]:
    return {
        "officers": [
            {"school_id": HOA_BINH, **LAN, "phone": "0218 3852 000"},
            {"school_id": PHU_THO, **MINH, "phone": "0210 3846 111"},
        ]
    }


def everything_stored(world: World) -> str:
    """Return every row of every table of the submissions database, as text."""
    with world.service.engine.connect() as conn:
        return "\n".join(
            json.dumps([list(map(str, row)) for row in conn.execute(table.select())], ensure_ascii=False)
            for table in world.service.metadata.sorted_tables
        )


def listed(world: World) -> dict[str, Any]:
    answer = file(world, "03", officers(), head(), cluster_id=CLUSTER)
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def subject_of(world: World, email: str) -> str:
    found = world.client.get("/personal/subjects", query_string={"find": email}, headers=auth())
    assert found.status_code == 200
    (subject,) = found.get_json()
    return str(subject["subject_id"])


def test_personal_fields_are_stored_sealed_and_read_in_clear_by_who_may(world: World) -> None:
    filing = listed(world)
    assert filing["payload"]["officers"][0]["email"] == LAN["email"]
    stored = everything_stored(world)
    assert not [value for value in CLEAR if value in stored]
    assert stored.count(PREFIX) >= 8
    read = world.client.get(f"/filings/{filing['submission_id']}", headers=auth()).get_json()
    assert read["payload"]["officers"][1]["phone"] == "0210 3846 111"
    history = world.client.get(f"/filings/{filing['submission_id']}/history", headers=auth()).get_json()
    assert history[0]["data"]["payload"]["officers"][0]["name"] == LAN["name"]


def test_a_sealed_value_handed_in_as_clear_is_refused_and_nothing_recorded(world: World) -> None:
    token = listed(world)
    with world.service.engine.connect() as conn:
        sealed = conn.execute(sa.select(submissions.c.payload)).scalar()["officers"][0]["email"]
        before = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()
    assert is_sealed(sealed) and token
    forged = officers()
    forged["officers"][0]["name"] = sealed
    answer = world.client.put(f"/filings/{token['submission_id']}", json={"payload": forged}, headers=head())
    assert answer.status_code == 422, answer.get_json()
    with world.service.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == before


def test_the_academy_exports_what_is_held_about_a_person(world: World) -> None:
    filing = listed(world)
    subject = subject_of(world, "LAN@tct.hoabinh.gov.vn")
    export = world.client.get(f"/personal/subjects/{subject}", headers=auth())
    assert export.status_code == 200
    body = export.get_json()
    assert body["fields"] == {**LAN, "phone": "0218 3852 000"}
    assert [e["type"] for e in body["events"]] == ["OfficersListed"]
    assert body["events"][0]["data"]["submission_id"] == filing["submission_id"]
    assert body["seen"] == [{"year": 2023, "school_id": HOA_BINH}]
    assert world.client.get(f"/personal/subjects/{subject}", headers=head()).status_code == 403


def test_erasing_one_person_destroys_their_key_only_and_records_why(world: World) -> None:
    filing = listed(world)
    lan, minh = subject_of(world, LAN["email"]), subject_of(world, MINH["email"])
    refused = world.client.post(f"/personal/subjects/{lan}/erasure", json={"reason": ""}, headers=auth())
    assert refused.status_code == 422
    erased = world.client.post(
        f"/personal/subjects/{lan}/erasure",
        json={"reason": "Theo yêu cầu của người được nêu tên"},
        headers=auth(),
    )
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["fields"] == {} and erased.get_json()["erased_at"]
    again = world.client.post(f"/personal/subjects/{lan}/erasure", json={"reason": "lần nữa"}, headers=auth())
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_erased"
    read = world.client.get(f"/filings/{filing['submission_id']}", headers=auth()).get_json()
    first, second = read["payload"]["officers"]
    assert {first[f] for f in ("name", "position", "email", "phone")} == {ERASED}
    assert first["school_id"] == HOA_BINH
    assert second == {"school_id": PHU_THO, **MINH, "phone": "0210 3846 111"}
    with world.service.engine.connect() as conn:
        recorded = conn.execute(events.select().where(events.c.type == "PersonalDataErased")).mappings().all()
        key = conn.execute(personal_keys.select().where(personal_keys.c.subject_id == lan)).mappings().one()
    assert [r["data"]["subject_id"] for r in recorded] == [lan]
    assert key["wrapped_key"] is None and key["lookup"] is None and key["profile"] is None
    assert world.service.rebuild_state() > 0
    rebuilt = world.client.get(f"/filings/{filing['submission_id']}", headers=auth()).get_json()
    assert rebuilt["payload"] == read["payload"]
    assert minh in {
        s["subject_id"] for s in world.client.get("/personal/subjects", headers=auth()).get_json()
    }


def test_only_services_open_sealed_values_and_an_erased_one_reads_erased(world: World) -> None:
    listed(world)
    with world.service.engine.connect() as conn:
        tokens = [o["email"] for o in conn.execute(sa.select(submissions.c.payload)).scalar()["officers"]]
    assert world.client.post("/personal/open", json={"tokens": tokens}, headers=auth()).status_code == 403
    opened = world.client.post("/personal/open", json={"tokens": tokens}, headers=auth("service")).get_json()
    assert opened["values"] == {tokens[0]: LAN["email"], tokens[1]: MINH["email"]}
    world.client.post(
        f"/personal/subjects/{subject_of(world, MINH['email'])}/erasure", json={"reason": "x"}, headers=auth()
    )
    opened = world.client.post("/personal/open", json={"tokens": tokens}, headers=auth("service")).get_json()
    assert opened["values"] == {tokens[0]: LAN["email"], tokens[1]: ERASED}


def test_rotating_the_master_key_rewraps_every_key_and_touches_no_event(world: World) -> None:
    filing = listed(world)
    with world.service.engine.connect() as conn:
        stored_before = [dict(r) for r in conn.execute(events.select()).mappings()]
    old = world.service.keyring
    assert old is not None
    rotated = KeyRing(
        personal_keys, MasterKeys(["a new master key of thirty-two chars!", *old_materials(world)])
    )
    with world.service.engine.begin() as conn:
        assert rotated.rotate(conn) == 2
        assert rotated.rotate(conn) == 0
    only_new = KeyRing(personal_keys, MasterKeys(["a new master key of thirty-two chars!"]))
    world.service.__dict__["keyring"] = only_new
    world.service.config = replace(
        world.service.config, personal_keys=("a new master key of thirty-two chars!",)
    )
    read = world.client.get(f"/filings/{filing['submission_id']}", headers=auth()).get_json()
    assert read["payload"]["officers"][0]["email"] == LAN["email"]
    assert subject_of(world, LAN["email"])  # found again: its lookup was rewrapped too
    with world.service.engine.connect() as conn:
        assert [dict(r) for r in conn.execute(events.select()).mappings()] == stored_before


def old_materials(world: World) -> tuple[str, ...]:
    return world.service.config.personal_keys or (world.service.settings.jwt_secret,)


def test_retention_erases_people_not_named_since_a_year_whose_time_ran_out(world: World) -> None:
    listed(world)
    assert personal.apply_retention(world.service) == 0
    world.now = world.now.replace(year=2028, month=12, day=31)
    assert personal.apply_retention(world.service) == 0
    world.now = world.now.replace(year=2029, month=1, day=1)
    assert personal.apply_retention(world.service) == 2
    assert personal.apply_retention(world.service) == 0
    with world.service.engine.connect() as conn:
        reasons = conn.execute(
            sa.select(events.c.data).where(events.c.type == "PersonalDataErased")
        ).scalars()
        assert {r["reason"] for r in reasons} == {personal.RETENTION_REASON}

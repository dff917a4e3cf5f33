"""Reads are scoped: a school officer its school, a cluster head its cluster, a provincial system the
schools of its code, the Academy and operators everything; Form 03's personal data only for the Academy
and the cluster's head."""

from __future__ import annotations

import io
from typing import Any

from services.submissions.app.watcher import check_deadlines
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    YEN_BAI,
    World,
    auth,
    file,
    head,
    officer,
    pdf_bytes,
    plan,
)

OTHER_CLUSTER_HEAD = auth("cluster_head", "cl_2023_tay_bac")
HOA_BINH_SYSTEM = auth("integration", "HOABINH")


def officers_list() -> dict[str, Any]:
    return {
        "officers": [
            {
                "school_id": HOA_BINH,
                "name": "Nguyễn Thị Lan",
                "position": "Chánh Văn phòng",
                "email": "lan@tct.hoabinh.gov.vn",
                "phone": "0218 3852 000",
            }
        ]
    }


def a_year_of_filings(world: World) -> dict[str, str]:
    """File Form 01 for Hòa Bình and Phú Thọ (Hòa Bình's with a document) and Form 03 for the cluster."""
    document = world.client.post(
        "/documents",
        data={"file": (io.BytesIO(pdf_bytes()), "ke-hoach.pdf")},
        headers=officer(HOA_BINH),
        content_type="multipart/form-data",
    ).get_json()["sha256"]
    ids = {
        "hoabinh": file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH, documents=[document]),
        "phutho": file(world, "01", plan(), officer(PHU_THO), school_id=PHU_THO),
        "officers": file(world, "03", officers_list(), head(), cluster_id=CLUSTER),
    }
    assert all(r.status_code == 201 for r in ids.values()), [r.get_json() for r in ids.values()]
    return {**{k: r.get_json()["submission_id"] for k, r in ids.items()}, "document": document}


def listed(world: World, headers: dict[str, str]) -> set[str]:
    response = world.client.get("/filings?year=2023", headers=headers)
    assert response.status_code == 200
    return {f["submission_id"] for f in response.get_json()}


def test_each_role_lists_and_reads_only_what_it_may(world: World) -> None:
    ids = a_year_of_filings(world)
    everything = {ids["hoabinh"], ids["phutho"], ids["officers"]}
    assert listed(world, auth()) == everything
    assert listed(world, auth("operator")) == everything
    assert listed(world, head()) == everything
    assert listed(world, OTHER_CLUSTER_HEAD) == set()
    assert listed(world, officer(HOA_BINH)) == {ids["hoabinh"]}
    assert listed(world, HOA_BINH_SYSTEM) == {ids["hoabinh"]}
    for path in (f"/filings/{ids['phutho']}", f"/filings/{ids['phutho']}/history"):
        assert world.client.get(path, headers=officer(HOA_BINH)).status_code == 404, path
        assert world.client.get(path, headers=officer(PHU_THO)).status_code == 200, path


def test_form_03_personal_data_is_shown_to_the_academy_and_the_clusters_head_only(world: World) -> None:
    ids = a_year_of_filings(world)
    path = f"/filings/{ids['officers']}"

    def officer_seen(headers: dict[str, str]) -> dict[str, Any]:
        return world.client.get(path, headers=headers).get_json()["payload"]["officers"][0]  # type: ignore[no-any-return]

    assert officer_seen(auth())["email"] == "lan@tct.hoabinh.gov.vn"
    assert officer_seen(head())["phone"] == "0218 3852 000"
    hidden = officer_seen(auth("operator"))
    assert (hidden["name"], hidden["email"], hidden["phone"]) == (None, None, None)
    assert hidden["position"] == "Chánh Văn phòng"
    history = world.client.get(f"{path}/history", headers=auth("operator")).get_json()
    assert "lan@tct" not in str(history)
    assert world.client.get(path, headers=officer(HOA_BINH)).status_code == 404


def test_the_board_eligibility_and_documents_follow_the_same_scope(world: World) -> None:
    ids = a_year_of_filings(world)
    board = world.client.get("/status-board?year=2023", headers=officer(HOA_BINH)).get_json()
    assert [row["school_id"] for row in board["schools"]] == [HOA_BINH]
    assert board["clusters"] == []
    head_board = world.client.get("/status-board?year=2023", headers=head()).get_json()
    assert {row["cluster_id"] for row in head_board["schools"]} == {CLUSTER}
    assert [c["cluster_id"] for c in head_board["clusters"]] == [CLUSTER]
    document = f"/documents/{ids['document']}"
    assert world.client.get(document, headers=officer(HOA_BINH)).status_code == 200
    assert world.client.get(document, headers=head()).status_code == 200
    assert world.client.get(document, headers=officer(PHU_THO)).status_code == 404
    assert world.client.get(document, headers=OTHER_CLUSTER_HEAD).status_code == 404


def test_eligibility_lists_only_the_schools_the_caller_reads(world: World) -> None:
    a_year_of_filings(world)
    world.at("2023-03-06T10:00:00+07:00")  # after the Form 01 deadline: the schools without it are out
    assert check_deadlines(world.service) > 0

    def schools(headers: dict[str, str]) -> set[str]:
        response = world.client.get("/eligibility?year=2023", headers=headers)
        assert response.status_code == 200
        return {row["school_id"] for row in response.get_json()}

    everyone = schools(auth())
    assert YEN_BAI in everyone and len(everyone) > 10
    assert schools(officer(YEN_BAI)) == {YEN_BAI}
    assert schools(officer(HOA_BINH)) == set()
    in_cluster = schools(head())
    assert YEN_BAI in in_cluster and in_cluster < everyone

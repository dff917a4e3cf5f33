"""Two consecutive years on real Kafka and PostgreSQL: 2023's dossier nominates next year's head and
deputy, the Academy confirms them, a school merges into another on 1 January 2024, and the 2024 clusters
are carried forward: the successor takes the merged school's place and files its 2024 plan in the new
cluster, whose leadership is the one confirmed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.registry.bootstrap import nominations_runner
from services.registry.wsgi import create_app as registry_app
from services.vocabulary import SUBMISSIONS_TOPIC
from tests.conftest import fresh_database
from tests.factories import rebuilt_state_equals_live
from tests.registry.conftest import make_campaign, make_school
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    TUYEN_QUANG,
    World,
    auth,
    officer,
    plan,
    seeded_world,
)

pytestmark = pytest.mark.e2e
THAI_NGUYEN = "sch_thainguyen"


@pytest.fixture
def world(kafka_url: str, postgres_server: str, tmp_path: Path) -> Iterator[World]:
    with fresh_database(postgres_server) as database:
        world = seeded_world(tmp_path, database, kafka_url)
        yield world
        world.service.close()
        world.registry.close()


def test_two_consecutive_years_with_a_nomination_confirmed_and_a_merger_in_between(world: World) -> None:
    registry = registry_app(world.registry).test_client()
    # 2023: two small schools of the cluster; the first merges into the second at the turn of the year.
    small, other = (
        registry.post(
            "/schools",
            json=make_school(code=code, name=f"Trường Bồi dưỡng cán bộ {code}", province="Phú Thọ"),
            headers=auth(),
        ).get_json()["school_id"]
        for code in ("BDCB-1", "BDCB-2")
    )
    for school in (small, other):
        joined = registry.post(f"/clusters/{CLUSTER}/members", json={"school_id": school}, headers=auth())
        assert joined.status_code == 201, joined.get_json()
    world.sync_registry()

    world.at("2023-11-28T10:00:00+07:00")
    dossier = {
        "report_06": "Báo cáo tổng kết",
        "minutes_07": "Biên bản",
        "score_table": [{"school_id": HOA_BINH, "score": 95}],
        "ballots": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 8, "in_favour": 7}],
        "proposals_08": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 8, "in_favour": 7}],
        "nomination": {"head_school_id": PHU_THO, "deputy_school_ids": [small]},
    }
    filed = world.client.post(
        "/filings",
        json={"year": 2023, "form": "HO_SO_CUM", "cluster_id": CLUSTER, "payload": dossier},
        headers=auth("cluster_head", CLUSTER),
    )
    assert filed.status_code == 201, filed.get_json()

    # The nomination travels: submissions' relay -> Kafka -> the registry's nominations consumer.
    world.service.relay(SUBMISSIONS_TOPIC).drain()
    runner = nominations_runner(world.registry)
    runner.run_until_caught_up(timeout=120)
    runner.close()
    nomination = registry.get(f"/clusters/{CLUSTER}/nomination", headers=auth("operator")).get_json()
    assert nomination["nominated"] == {"head_school_id": PHU_THO, "deputy_school_ids": [small]}

    confirmed = registry.post(
        f"/clusters/{CLUSTER}/nomination/confirm",
        json={"decision": "Quyết định số 15-QĐ/HVCTQG ngày 20/12/2023"},
        headers=auth(),
    )
    assert confirmed.status_code == 200, confirmed.get_json()

    merged = {
        "predecessor_ids": [small],
        "successor_id": other,
        "effective_date": "2024-01-01",
        "legal_basis": "Quyết định sáp nhập",
    }
    assert registry.post("/schools/merges", json=merged, headers=auth()).status_code == 201

    # 2024: the campaign opens and the clusters are carried forward.
    assert registry.post("/campaigns", json=make_campaign(2024), headers=auth()).status_code == 201
    carried = registry.post("/clusters/carry-forward", json={"year": 2024}, headers=auth()).get_json()
    assert len(carried) == 8
    (ours,) = [c for c in carried if c["carried_from"] == CLUSTER]
    assert ours["mapped"] == {small: other}
    assert small not in ours["member_ids"] and {other, THAI_NGUYEN} <= set(ours["member_ids"])
    assert (ours["head_school_id"], ours["deputy_school_ids"]) == (PHU_THO, [other])
    world.sync_registry()

    world.at("2024-03-01T09:00:00+07:00")
    for school in (PHU_THO, TUYEN_QUANG):
        response = world.client.post(
            "/filings",
            json={"year": 2024, "form": "01", "school_id": school, "payload": plan(summary="Năm 2024")},
            headers=officer(school),
        )
        assert response.status_code == 201, response.get_json()
    board = world.client.get(
        f"/status-board?year=2024&cluster_id={ours['cluster_id']}", headers=auth("operator")
    ).get_json()
    cells = {row["school_id"]: row["cells"]["PLAN"]["status"] for row in board["schools"]}
    assert cells[PHU_THO] == "on_time" and cells[TUYEN_QUANG] == "on_time"
    assert small not in cells and cells[other] == "missing"  # not filed yet

    history = registry.get(f"/schools/{other}/years", headers=auth("operator")).get_json()
    lived = [(y["year"], y["school_id"], y["via"], y["role"]) for y in history["years"]]
    assert lived == sorted(
        [
            (2023, small, "predecessor", "member"),
            (2023, other, "self", "member"),
            (2024, other, "self", "deputy"),
        ]
    )

    applied, same = rebuilt_state_equals_live(world.registry)
    assert same and applied > 250

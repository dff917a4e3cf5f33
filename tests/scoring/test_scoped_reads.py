"""Scoring's reads are scoped: a school its own card, a cluster head its cluster's cards, table, targets and
proposals, a provincial system the cards of its code's schools, the Academy and operators everything."""

from __future__ import annotations

from tests.scoring.conftest import Scene
from tests.submissions.conftest import CLUSTER, HOA_BINH, PHU_THO, auth, file, officer, plan

OTHER_CLUSTER = "cl_2023_tay_bac"


def status(scene: Scene, path: str, headers: dict[str, str]) -> int:
    return scene.client.get(path, headers=headers).status_code


def test_each_role_reads_only_the_cards_and_tables_it_may(scene: Scene) -> None:
    assert file(scene.world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).status_code == 201
    scene.sync()
    card, other_card = f"/score-cards/2023/{HOA_BINH}", f"/score-cards/2023/{PHU_THO}"
    table, proposals = f"/score-tables/2023/{CLUSTER}", f"/proposals/2023/{CLUSTER}"
    expected = {
        "academy": (auth(), {card: 200, other_card: 200, table: 200, proposals: 200}),
        "operator": (auth("operator"), {card: 200, table: 200}),
        "its cluster's head": (auth("cluster_head", CLUSTER), {card: 200, other_card: 200, table: 200}),
        "another cluster's head": (
            auth("cluster_head", OTHER_CLUSTER),
            {card: 403, table: 403, proposals: 403},
        ),
        "the school": (officer(HOA_BINH), {card: 200, other_card: 403, table: 403, proposals: 403}),
        "its province's system": (auth("integration", "HOABINH"), {card: 200, other_card: 403, table: 403}),
    }
    for who, (headers, answers) in expected.items():
        for path, code in answers.items():
            assert status(scene, path, headers) == code, (who, path)


def test_a_cluster_head_gets_the_targets_of_its_own_cluster(scene: Scene) -> None:
    scene.sync()
    own = scene.client.get("/targets/2023", headers=auth("cluster_head", CLUSTER))
    assert own.status_code == 200
    everything = scene.get("/targets/2023")
    assert 0 < len(own.get_json()) < len(everything)
    assert status(scene, f"/targets/2023?cluster_id={OTHER_CLUSTER}", auth("cluster_head", CLUSTER)) == 403
    assert status(scene, "/targets/2023", officer(HOA_BINH)) == 403

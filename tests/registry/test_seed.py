"""The seed: the 2023 year from the letter, 63 provincial schools becoming 34 on 1 July 2025, idempotent."""

from __future__ import annotations

from flask.testing import FlaskClient

from services.registry.seed.command import seed
from services.registry.seed.schools_2023 import school_id
from services.registry.service import Registry
from tests.factories import rebuilt_state_equals_live
from tests.registry.conftest import auth, event_types


def schools_of(client: FlaskClient, query: str) -> list[dict]:  # type: ignore[type-arg]
    return client.get(f"/schools?per_page=500&{query}", headers=auth("operator")).get_json()  # type: ignore[no-any-return]


def test_the_seed_builds_the_2023_year_and_running_it_again_changes_nothing(
    client: FlaskClient, registry: Registry
) -> None:
    first = seed(registry)
    assert (first.campaigns, first.schools, first.clusters, first.mergers) == (1, 68, 8, 23)
    stored = event_types(registry)
    second = seed(registry)
    assert (second.campaigns, second.schools, second.clusters, second.mergers) == (0, 0, 0, 0)
    assert event_types(registry) == stored


def test_63_provincial_schools_in_2023_become_34_after_the_mergers(
    client: FlaskClient, registry: Registry
) -> None:
    seed(registry)
    assert len(schools_of(client, "kind=provincial&year=2023")) == 63
    assert len(schools_of(client, "kind=provincial&status=active")) == 34
    assert len(schools_of(client, "kind=ministry")) == 5


def test_every_2023_school_is_in_exactly_one_cluster_led_by_its_members(
    client: FlaskClient, registry: Registry
) -> None:
    seed(registry)
    clusters = client.get("/clusters?year=2023", headers=auth("operator")).get_json()
    members = [m for c in clusters for m in c["member_ids"]]
    assert len(members) == len(set(members)) == 68
    for cluster in clusters:
        assert cluster["head_school_id"] in cluster["member_ids"]
        assert set(cluster["deputy_school_ids"]) <= set(cluster["member_ids"])
    midlands = next(c for c in clusters if c["cluster_id"] == "cl_2023_trung_du_bac")
    assert midlands["head_school_id"] == school_id("HOABINH")
    assert midlands["sample_data"] is False
    assert len(midlands["member_ids"]) == 7


def test_hoa_binh_is_viewable_under_the_new_phu_tho_school(client: FlaskClient, registry: Registry) -> None:
    seed(registry)
    lineage = client.get(f"/schools/{school_id('HOABINH')}/lineage", headers=auth("operator")).get_json()
    (successor,) = lineage["successors"]
    assert successor["code"] == "PHUTHO-2025"
    assert lineage["school"]["merge_basis"].startswith("Nghị quyết số 202/2025/QH15")
    down = client.get(f"/schools/{successor['school_id']}/lineage", headers=auth("operator")).get_json()
    assert sorted(p["code"] for p in down["predecessors"]) == ["HOABINH", "PHUTHO", "VINHPHUC"]


def test_the_state_tables_rebuilt_from_the_events_equal_the_live_ones(
    client: FlaskClient, registry: Registry
) -> None:
    seed(registry)  # schools registered, updated, merged; clusters formed with members and heads
    applied, same = rebuilt_state_equals_live(registry)
    assert same
    assert applied == len(event_types(registry))

"""The registry's use cases decided on its in-memory unit of work: the seed, schools and mergers.

No Flask, no file, no bus: the same use cases, domain and state handlers as the service, over an
in-memory database (the HTTP answers for the same refusals are in test_schools_api.py).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from services.registry.app import schools
from services.registry.app.work import InMemoryRegistry
from services.registry.domain.schools import RegisterSchool
from services.registry.seed.command import SEED, seed
from services.registry.seed.schools_2023 import school_id
from services.registry.tables import cluster_members, clusters
from services.registry.tables import schools as schools_table
from shared.errors import Conflict, RuleBroken


@pytest.fixture(scope="module")
def seeded() -> InMemoryRegistry:
    registry = InMemoryRegistry()
    seed(registry)
    return registry


def hoa_binh(code: str = "HB", name: str = "Trường Chính trị tỉnh Hòa Bình") -> RegisterSchool:
    return RegisterSchool(code, name, "provincial", "Hòa Bình", date(2021, 1, 1))


def test_the_seed_builds_the_2023_year_and_running_it_again_changes_nothing() -> None:
    registry = InMemoryRegistry()
    first = seed(registry)
    assert (first.campaigns, first.schools, first.clusters, first.mergers) == (1, 68, 8, 23)
    recorded = len(registry.recorded)
    second = seed(registry)
    assert (second.campaigns, second.schools, second.clusters, second.mergers) == (0, 0, 0, 0)
    assert len(registry.recorded) == recorded


def test_63_provincial_schools_in_2023_become_34_after_the_mergers(seeded: InMemoryRegistry) -> None:
    with seeded.engine.connect() as conn:
        rows = conn.execute(sa.select(schools_table)).mappings().all()
    provincial = [r for r in rows if r["kind"] == "provincial"]
    in_2023 = [r for r in provincial if r["valid_from"] <= date(2023, 12, 31)]
    assert len(in_2023) == 63
    assert len([r for r in provincial if r["status"] == "active"]) == 34
    assert len([r for r in rows if r["kind"] == "ministry"]) == 5
    assert {r["status"] for r in in_2023 if r["school_id"] == school_id("HOABINH")} == {"merged"}


def test_every_2023_school_is_in_exactly_one_cluster_led_by_its_members(seeded: InMemoryRegistry) -> None:
    with seeded.engine.connect() as conn:
        formed = conn.execute(sa.select(clusters).where(clusters.c.year == 2023)).mappings().all()
        members = conn.execute(sa.select(cluster_members.c.cluster_id, cluster_members.c.school_id)).all()
    in_2023 = {c["cluster_id"] for c in formed}
    joined = [s for c, s in members if c in in_2023]
    assert len(formed) == 8 and len(joined) == len(set(joined)) == 68
    for cluster in formed:
        own = {s for c, s in members if c == cluster["cluster_id"]}
        assert cluster["head_school_id"] in own and set(cluster["deputy_school_ids"]) <= own


def test_a_duplicate_code_or_a_twin_name_is_refused_and_records_nothing() -> None:
    registry = InMemoryRegistry()
    schools.register_school(registry, hoa_binh(), SEED)
    with pytest.raises(Conflict) as duplicate:
        schools.register_school(registry, hoa_binh(name="Another"), SEED)
    assert duplicate.value.code == "duplicate_code"
    with pytest.raises(Conflict):
        schools.register_school(registry, hoa_binh(code="HB2", name="trường chính trị tỉnh hòa bình "), SEED)
    assert [e.type for e in registry.recorded] == ["SchoolRegistered"]


def test_a_merge_closes_the_predecessors_and_a_second_merge_of_them_is_refused() -> None:
    registry = InMemoryRegistry()
    first, second, target = (
        schools.register_school(registry, hoa_binh(code, f"Trường {code}"), SEED)["school_id"]
        for code in ("A", "B", "T")
    )
    merged = schools.merge_schools(registry, [first], target, None, date(2025, 7, 1), "NQ", SEED)
    assert merged["school_id"] == target and merged["status"] == "active"
    recorded = len(registry.recorded)
    with pytest.raises(RuleBroken) as gone:
        schools.merge_schools(registry, [first, second], target, None, date(2025, 7, 1), "NQ", SEED)
    assert gone.value.code == "school_no_longer_exists"
    assert len(registry.recorded) == recorded  # the refusal rolled back whatever it had begun

"""The seed through the API: a merged school read under its successor, and the state rebuilt from its events.

What the seed builds (counts, mergers, clusters, idempotence) is in test_registry_use_cases.py, on the fake.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from services.registry.seed.command import seed
from services.registry.seed.schools_2023 import school_id
from services.registry.service import Registry
from tests.factories import rebuilt_state_equals_live
from tests.registry.conftest import auth, event_types


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

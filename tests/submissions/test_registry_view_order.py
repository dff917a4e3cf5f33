"""The submissions registry view gives the same schools whatever order its partitions are read in."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa

from services.submissions.projections.registry_view import VIEW
from services.submissions.tables import metadata, schools
from shared.envelope import Envelope

EVENTS = [
    ("SchoolRegistered", {"school_id": "a", "kind": "provincial", "name": "Trường A", "code": "A"}),
    ("SchoolRegistered", {"school_id": "b", "kind": "provincial", "name": "Trường B", "code": "B"}),
    ("SchoolRegistered", {"school_id": "c", "kind": "provincial", "name": "Trường C", "code": "C"}),
    ("SchoolsMerged", {"successor_id": "b", "predecessor_ids": ["a"]}),
    ("SchoolDeactivated", {"school_id": "c", "valid_to": "2025-07-01"}),
]


def view_after(order: tuple[tuple[str, dict[str, Any]], ...]) -> list[tuple[Any, ...]]:
    """Return the view's schools after applying registry events in an order."""
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=[schools])
    with engine.begin() as conn:
        for event_type, data in order:
            VIEW.apply(conn, Envelope(event_type, "registry", "s", data), data)
        rows = conn.execute(sa.select(schools).order_by(schools.c.school_id)).all()
    return [tuple(r) for r in rows]


def test_the_view_is_the_same_in_every_order_of_registrations_merges_and_ends() -> None:
    live = view_after(tuple(EVENTS))
    assert [(r[0], r[3], r[5]) for r in live] == [("a", False, "b"), ("b", True, None), ("c", False, None)]
    for order in itertools.permutations(EVENTS):
        assert view_after(order) == live, order

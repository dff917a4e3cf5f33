"""Scoring publishes a cluster's results on its in-memory unit of work: once each, again only on change.

The facts are kept by scoring's own handlers from the 2023 registry's events (as the registry records
them); the results are computed and recorded by the same use case the consumer runs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from services.scoring.app.compute import refresh_cluster
from services.scoring.app.work import InMemoryScoring
from services.scoring.projections.facts import FACTS
from shared.envelope import Envelope
from tests.submissions.conftest import CLUSTER, HOA_BINH, YEN_BAI
from tests.submissions.fakes import registry_2023


@pytest.fixture
def uow() -> InMemoryScoring:
    scoring = InMemoryScoring()
    with scoring.transaction() as conn:
        for event in registry_2023():
            FACTS.apply(conn, event, dict(event.data))
    return scoring


def learn(uow: InMemoryScoring, kind: str, data: dict[str, Any]) -> None:
    """Let scoring keep one fact from another service's event."""
    event = Envelope(type=kind, source="submissions", stream_id="s", data=data, stream_version=1)
    with uow.transaction() as conn:
        FACTS.apply(conn, event, data)


def publish(uow: InMemoryScoring) -> Counter[str]:
    """Refresh the cluster's results; return what this refresh published, by event type."""
    before = len(uow.recorded)
    with uow.transaction() as conn:
        refresh_cluster(uow, conn, 2023, CLUSTER, publish=True)
    return Counter(event.type for event in uow.recorded[before:])


def test_every_result_is_published_once_and_again_only_when_it_changes(uow: InMemoryScoring) -> None:
    first = publish(uow)
    assert first["SchoolScoreComputed"] == first["TargetsEvaluated"] == 7  # the cluster's seven schools
    assert (first["ScoresComputed"], first["AwardProposalDrafted"]) == (1, 1)
    assert publish(uow) == Counter()  # nothing changed: nothing published
    learn(uow, "SchoolDeclaredIneligible", {"year": 2023, "school_id": YEN_BAI, "reason": "x"})
    changed = publish(uow)
    assert changed["SchoolScoreComputed"] == 1 and changed["TargetsEvaluated"] == 0
    yen_bai = [
        e.data for e in uow.recorded if e.type == "SchoolScoreComputed" and e.data["school_id"] == YEN_BAI
    ]
    assert [card["revision"] for card in yen_bai] == [1, 2] and yen_bai[-1]["eligible"] is False
    hoa_binh = [
        e for e in uow.recorded if e.type == "SchoolScoreComputed" and e.data["school_id"] == HOA_BINH
    ]
    assert len(hoa_binh) == 1  # another school's card is not published again

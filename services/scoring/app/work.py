"""Scoring's unit of work in memory: the fast tier computes and publishes results on it."""

from __future__ import annotations

from datetime import UTC, datetime

from services.scoring import contracts, tables
from shared.unit_of_work import InMemoryUnitOfWork


class InMemoryScoring(InMemoryUnitOfWork):
    """Scoring's read model and its published results' events in an in-memory database."""

    def __init__(self, now: datetime = datetime(2023, 12, 1, 3, 0, tzinfo=UTC)):
        super().__init__(tables.metadata, contracts.CATALOGUE, None, "scoring", now)

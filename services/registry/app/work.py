"""The registry's unit of work in memory: the fast tier decides the registry's use cases on it."""

from __future__ import annotations

from datetime import UTC, datetime

from services.registry import contracts, tables
from services.registry.state import STATE
from shared.unit_of_work import InMemoryUnitOfWork


class InMemoryRegistry(InMemoryUnitOfWork):
    """The registry's tables, events and state handlers in an in-memory database."""

    def __init__(self, now: datetime = datetime(2023, 3, 1, 3, 0, tzinfo=UTC)):
        super().__init__(tables.metadata, contracts.CATALOGUE, STATE, "registry", now)

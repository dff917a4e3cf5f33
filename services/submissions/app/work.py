"""The unit of work submissions' filing use cases decide through: the service itself, or in memory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from services.submissions import contracts, tables
from services.submissions.state import STATE
from shared.unit_of_work import InMemoryUnitOfWork, UnitOfWork


class FilingWork(UnitOfWork, Protocol):
    """A unit of work that also knows where the uploaded documents a filing names are kept."""

    @property
    def documents_dir(self) -> Path:
        """Return where documents are stored, by the hash of their bytes."""
        ...


class InMemorySubmissions(InMemoryUnitOfWork):
    """Submissions' tables, events and state handlers in memory (the fast tier's unit of work)."""

    def __init__(self, now: datetime, documents_dir: Path = Path("/nonexistent/documents")):
        super().__init__(tables.metadata, contracts.CATALOGUE, STATE, "submissions", now)
        self._documents_dir = documents_dir

    @property
    def documents_dir(self) -> Path:
        """Return where documents would be (none is uploaded in memory)."""
        return self._documents_dir

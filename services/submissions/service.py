"""The submissions service's type: its live dependencies and its settings (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from services.submissions.config import SubmissionsSettings
from shared.service import ServiceContext


@dataclass
class Submissions(ServiceContext):
    """Submissions' database, event store and bus, with its own settings (documents, watcher, keys)."""

    config: SubmissionsSettings = field(kw_only=True, repr=False)

    @property
    def documents_dir(self) -> Path:
        """Return where documents are stored, by the hash of their bytes."""
        return Path(self.config.documents_dir)

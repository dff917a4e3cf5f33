"""The submissions composition root: database, event store, bus, documents; nothing at import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.submissions import contracts, state, tables
from services.submissions.config import SubmissionsSettings
from shared import migrations
from shared.db import create_engine
from shared.service import ServiceContext

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Submissions(ServiceContext):
    """The submissions service's live dependencies and its own settings."""

    documents_dir: Path = Path("var/documents")
    max_upload_bytes: int = 20 * 1024 * 1024
    watch_interval: float = 60.0
    integration_keys: Mapping[str, str] = field(default_factory=dict)


def bootstrap(settings: SubmissionsSettings) -> Submissions:
    """Return the submissions service's live dependencies."""
    return Submissions(
        settings.common,
        create_engine(settings.common.database_url),
        contracts.CATALOGUE,
        tables.metadata,
        apply_state=state.apply,
        documents_dir=Path(settings.documents_dir),
        max_upload_bytes=settings.max_upload_bytes,
        watch_interval=settings.watch_interval,
        integration_keys=dict(settings.integration_keys),
    )


def migrate(settings: SubmissionsSettings) -> None:
    """Bring the submissions database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)

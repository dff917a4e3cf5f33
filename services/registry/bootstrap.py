"""The registry's composition root: builds its database, event store and bus; nothing at import."""

from __future__ import annotations

from pathlib import Path

from services.registry import contracts, state, tables
from shared import migrations
from shared.service import ServiceContext, build_context
from shared.settings import CommonSettings

Registry = ServiceContext
MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: CommonSettings) -> Registry:
    """Return the registry's live dependencies."""
    return build_context(settings, contracts.CATALOGUE, tables.metadata, state.apply)


def migrate(settings: CommonSettings) -> None:
    """Bring the registry database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.database_url)

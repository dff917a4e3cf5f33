"""The portal composition root: its accounts database (it publishes and consumes no events)."""

from __future__ import annotations

from pathlib import Path

from services.portal import tables
from services.portal.config import PortalSettings
from services.portal.service import Portal
from shared import migrations
from shared.catalogue import Catalogue
from shared.consumer import ConsumerRunner
from shared.service import build_context

MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: PortalSettings) -> Portal:
    """Return the portal's live dependencies."""
    return build_context(Portal, settings, Catalogue(), tables.metadata)


def migrate(settings: PortalSettings) -> None:
    """Bring the portal database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)


def consumers(service: Portal) -> dict[str, ConsumerRunner]:
    """Return the portal's consumers: none (it reads the services through their APIs)."""
    return {}

"""The registry's composition root: builds its database, event store and bus; nothing at import."""

from __future__ import annotations

from pathlib import Path

from services.registry import contracts, tables
from services.registry.config import RegistrySettings
from services.registry.policies.nominations import NominationsInbox
from services.registry.projections.proposals import ProposalsView
from services.registry.service import Registry
from services.registry.state import STATE
from shared import migrations
from shared.consumer import ConsumerRunner
from shared.service import build_context

MIGRATIONS = Path(__file__).parent / "migrations"


def bootstrap(settings: RegistrySettings) -> Registry:
    """Return the registry's live dependencies."""
    return build_context(Registry, settings, contracts.CATALOGUE, tables.metadata, STATE)


def migrate(settings: RegistrySettings) -> None:
    """Bring the registry database to the newest schema."""
    migrations.upgrade(MIGRATIONS, settings.common.database_url)


def consumers(service: Registry) -> dict[str, ConsumerRunner]:
    """Return the registry's consumers by name: the dossiers' nominations, the clusters' award proposals."""
    return {"nominations": nominations_runner(service), "proposals": proposals_runner(service)}


def nominations_runner(service: Registry) -> ConsumerRunner:
    """Return the runner that takes each cluster dossier's nomination into the registry."""
    return ConsumerRunner(
        NominationsInbox(service), service.engine, tables.processed_events, service.bus, contracts.CONSUMED
    )


def proposals_runner(service: Registry) -> ConsumerRunner:
    """Return the runner that keeps each cluster's newest award proposals for the Academy's decision."""
    return ConsumerRunner(
        ProposalsView(), service.engine, tables.processed_events, service.bus, contracts.CONSUMED
    )

"""Alembic environment of the registry database (run through shared.migrations.upgrade)."""

from services.registry.tables import metadata
from shared.migrations import run_env

run_env(metadata)

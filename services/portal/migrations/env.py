"""Alembic environment of the portal database (run through shared.migrations.upgrade)."""

from services.portal.tables import metadata
from shared.migrations import run_env

run_env(metadata)

"""Alembic environment of the scoring database (run through shared.migrations.upgrade)."""

from services.scoring.tables import metadata
from shared.migrations import run_env

run_env(metadata)

"""Alembic environment of the submissions database (run through shared.migrations.upgrade)."""

from services.submissions.tables import metadata
from shared.migrations import run_env

run_env(metadata)

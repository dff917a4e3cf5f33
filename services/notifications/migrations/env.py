"""Alembic environment of the notifications database (run through shared.migrations.upgrade)."""

from services.notifications.tables import metadata
from shared.migrations import run_env

run_env(metadata)

"""Alembic, one history per service database: the env.py body and the upgrade call."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config

from shared.db import create_engine


def alembic_config(script_location: Path, url: str) -> Config:
    """Return an Alembic config for one service's migrations and database."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["url"] = url
    return config


def upgrade(script_location: Path, url: str, revision: str = "head") -> None:
    """Bring a service database to a revision (the newest by default)."""
    command.upgrade(alembic_config(script_location, url), revision)


def run_env(target_metadata: sa.MetaData) -> None:
    """The body of every service's migrations/env.py: run online against the configured URL."""
    url = context.config.attributes.get("url")
    if url is None:
        raise RuntimeError("run migrations through shared.migrations.upgrade (it passes the database URL)")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()

"""Each service's Alembic history builds exactly the schema its tables declare."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrations
from shared.db import create_engine


@pytest.mark.parametrize("service", ["registry", "submissions", "scoring", "notifications"])
def test_migrations_match_the_declared_tables(service: str, database_url: str) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    tables = importlib.import_module(f"services.{service}.tables")
    migrations.upgrade(bootstrap.MIGRATIONS, database_url)
    migrations.upgrade(bootstrap.MIGRATIONS, database_url)  # a second run changes nothing
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    engine.dispose()
    assert differences == []

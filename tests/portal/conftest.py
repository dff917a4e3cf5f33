"""Portal fixtures: its accounts database on SQLite (migrated), as the embedded default runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.portal.bootstrap import bootstrap, migrate
from services.portal.config import load_settings
from services.portal.service import Portal
from tests.factories import TEST_SECRET


def portal_settings(data_dir: Path, **env: str):  # type: ignore[no-untyped-def]
    """Return portal settings under a test data directory."""
    return load_settings(
        {
            "THIDUA_DATA_DIR": str(data_dir),
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "PORTAL_DATABASE_URL": f"sqlite:///{data_dir / 'portal.sqlite'}",
            **env,
        }
    )


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    settings = portal_settings(tmp_path)
    migrate(settings)
    service = bootstrap(settings)
    yield service
    service.close()

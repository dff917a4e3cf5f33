"""Personal data fixtures: the submissions world (the seeded registry and submissions on one bus)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.submissions.conftest import World, seeded_world


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    world = seeded_world(tmp_path, database_url, f"file:{tmp_path / 'eventlog.sqlite'}")
    yield world
    world.service.close()
    world.registry.close()

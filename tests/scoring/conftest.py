"""Scoring fixtures: the seeded registry and a submissions service on one bus, and a scoring service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from services.scoring.bootstrap import bootstrap, migrate, scoring_runner
from services.scoring.service import Scoring
from services.scoring.tables import events
from services.scoring.wsgi import create_app
from services.vocabulary import SUBMISSIONS_TOPIC
from tests.factories import service_settings
from tests.submissions.conftest import World, auth, seeded_world


@dataclass
class Scene:
    """Submissions and registry (the world) feeding a scoring service."""

    world: World
    scoring: Scoring
    client: FlaskClient

    def sync(self) -> None:
        """Relay registry and submissions events and let scoring catch up."""
        self.world.sync_registry()
        self.world.service.relay(SUBMISSIONS_TOPIC).drain()
        runner = scoring_runner(self.scoring)
        runner.run_until_caught_up(timeout=120)
        runner.close()

    def get(self, path: str) -> Any:
        response = self.client.get(path, headers=auth("operator"))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def published(self, event_type: str) -> list[dict[str, Any]]:
        """Return the data of every published result event of a type, in order."""
        with self.scoring.engine.connect() as conn:
            rows = conn.execute(
                sa.select(events.c.data).where(events.c.type == event_type).order_by(events.c.position)
            )
            return [dict(r) for (r,) in rows]


def build_scene(tmp_path: Path, database_url: str, bus_url: str) -> Scene:
    """Return a scene on a database and a bus."""
    world = seeded_world(tmp_path, f"sqlite:///{tmp_path / 'submissions.sqlite'}", bus_url)
    settings = service_settings("scoring", tmp_path, database_url=database_url, bus_url=bus_url)
    migrate(settings)
    scoring = bootstrap(settings)
    return Scene(world, scoring, create_app(scoring).test_client())


@pytest.fixture
def scene(database_url: str, tmp_path: Path) -> Iterator[Scene]:
    scene = build_scene(tmp_path, database_url, f"file:{tmp_path / 'eventlog.sqlite'}")
    yield scene
    scene.scoring.close()
    scene.world.service.close()
    scene.world.registry.close()

"""Registry fixtures: a migrated registry on SQLite or PostgreSQL, its test client, and factories."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from services.registry.bootstrap import bootstrap, migrate
from services.registry.seed.campaign_2023 import campaign_2023
from services.registry.service import Registry
from services.registry.tables import events
from services.registry.wsgi import create_app
from shared.auth import mint_token
from tests.factories import TEST_SECRET, service_settings


@pytest.fixture
def registry(database_url: str, tmp_path: Path) -> Iterator[Registry]:
    settings = service_settings("registry", tmp_path, database_url=database_url)
    migrate(settings)
    registry = bootstrap(settings)
    yield registry
    registry.close()


@pytest.fixture
def client(registry: Registry) -> FlaskClient:
    return create_app(registry).test_client()


def auth(role: str = "academy_admin", tenant: str | None = None) -> dict[str, str]:
    """Return the Authorization header of a token in a role."""
    return {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'tester', role, tenant)}"}


def make_school(**overrides: Any) -> dict[str, Any]:
    """Return a valid school registration body."""
    body = {
        "code": "HB",
        "name": "Trường Chính trị tỉnh Hòa Bình",
        "kind": "provincial",
        "province": "Hòa Bình",
        "valid_from": "2021-01-01",
        "email": "thidua@tct.hoabinh.gov.vn",
    }
    body.update(overrides)
    return body


def make_campaign(year: int = 2023) -> dict[str, Any]:
    """Return the 2023 campaign's content moved to another year."""
    content = copy.deepcopy(campaign_2023())
    content["year"] = year
    content["opened_on"] = f"{year}{content['opened_on'][4:]}"
    for deadline in content["deadlines"]:
        deadline["due"] = f"{year}{deadline['due'][4:]}"
    return content


def register(client: FlaskClient, code: str, **overrides: Any) -> str:
    """Register a school and return its id."""
    body = make_school(code=code, **{"name": f"Trường Chính trị {code}", **overrides})
    response = client.post("/schools", json=body, headers=auth())
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["school_id"])


def event_types(registry: Registry) -> list[str]:
    """Return the types of every stored event, in order."""
    with registry.engine.connect() as conn:
        return list(conn.execute(sa.select(events.c.type).order_by(events.c.position)).scalars())

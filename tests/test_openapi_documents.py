"""Every service's /openapi.json is a valid OpenAPI document to an independent validator; the portal,
pages for people, publishes none."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.factories import service_settings


def app_of(service: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Return a service's Flask app on a fresh SQLite database and embedded log."""
    import importlib

    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    wsgi = importlib.import_module(f"services.{service}.wsgi")
    settings = service_settings(service, tmp_path)
    bootstrap.migrate(settings)
    return wsgi.create_app(bootstrap.bootstrap(settings))


@pytest.mark.parametrize("service", ["registry", "scoring"])
def test_a_services_openapi_document_is_valid(service: str, tmp_path: Path) -> None:
    document = app_of(service, tmp_path).test_client().get("/openapi.json").get_json()
    validate(document)
    assert document["paths"]


def test_the_notifications_openapi_document_is_valid(tmp_path: Path) -> None:
    from services.notifications.bootstrap import bootstrap, migrate
    from services.notifications.wsgi import create_app
    from tests.factories import notifications_settings

    settings = notifications_settings(tmp_path)
    migrate(settings)
    document = create_app(bootstrap(settings)).test_client().get("/openapi.json").get_json()
    validate(document)
    assert document["paths"]


def test_the_submissions_openapi_document_is_valid(tmp_path: Path) -> None:
    from services.submissions.bootstrap import bootstrap, migrate
    from services.submissions.wsgi import create_app
    from tests.submissions.conftest import submissions_settings

    settings = submissions_settings(
        tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", f"file:{tmp_path / 'log'}"
    )
    migrate(settings)
    document = create_app(bootstrap(settings)).test_client().get("/openapi.json").get_json()
    validate(document)
    assert "/confirmations/{year}/{school_id}/{copy}/voiding" in document["paths"]


def test_the_portal_publishes_no_openapi_document(tmp_path: Path) -> None:
    from services.portal.bootstrap import bootstrap, migrate
    from services.portal.wsgi import create_app
    from tests.portal.conftest import portal_settings

    settings = portal_settings(tmp_path)
    migrate(settings)
    assert create_app(bootstrap(settings)).test_client().get("/openapi.json").status_code == 404

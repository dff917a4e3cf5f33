"""The registry's WSGI app for gunicorn: ``gunicorn 'services.registry.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.registry.api import awards, campaigns, clusters, schools
from services.registry.api.common import DOCUMENTS
from services.registry.bootstrap import bootstrap
from services.registry.config import load_settings
from services.registry.service import Registry
from shared.readcache import VersionedCache
from shared.service import from_environment
from shared.web import service_app


def create_app(service: Registry | None = None) -> Flask:
    """Build the registry app from the environment, or around a given service (tests)."""
    app, api = service_app(
        __name__, service or from_environment(load_settings, bootstrap), "Thi đua registry"
    )
    app.extensions[DOCUMENTS] = VersionedCache(size=256)
    for blueprint in (schools.blp, clusters.blp, campaigns.blp, awards.blp):
        api.register_blueprint(blueprint)
    return app

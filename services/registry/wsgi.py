"""The registry's WSGI app for gunicorn: ``gunicorn 'services.registry.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.registry.api import campaigns, clusters, schools
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import load_settings
from shared.logs import configure_logging
from shared.web import make_app


def create_app(registry: Registry | None = None) -> Flask:
    """Build the registry app from the environment, or around a given registry (tests)."""
    if registry is None:
        settings = load_settings()
        configure_logging(settings.service, settings.log_level)
        registry = bootstrap(settings)
    app, api = make_app(
        __name__,
        "Thi đua registry",
        registry.settings.jwt_secret,
        {"database": registry.database_ready, "bus": registry.bus_ready},
        lags=registry.lags(),
    )
    app.extensions["registry"] = registry
    for blueprint in (schools.blp, clusters.blp, campaigns.blp):
        api.register_blueprint(blueprint)
    return app

"""The scoring WSGI app for gunicorn: ``gunicorn 'services.scoring.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.scoring.api.routes import blp
from services.scoring.bootstrap import Scoring, bootstrap
from services.scoring.config import load_settings
from shared.logs import configure_logging
from shared.web import make_app


def create_app(service: Scoring | None = None) -> Flask:
    """Build the scoring app from the environment, or around a given service (tests)."""
    if service is None:
        settings = load_settings()
        configure_logging(settings.service, settings.log_level)
        service = bootstrap(settings)
    app, api = make_app(
        __name__,
        "Thi đua scoring",
        service.settings.jwt_secret,
        {"database": service.database_ready, "bus": service.bus_ready},
        lags=service.lags(),
    )
    app.extensions["scoring"] = service
    api.register_blueprint(blp)
    return app

"""The scoring WSGI app for gunicorn: ``gunicorn 'services.scoring.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.scoring.api.routes import blp
from services.scoring.bootstrap import bootstrap
from services.scoring.config import load_settings
from services.scoring.service import Scoring
from shared.service import from_environment
from shared.web import service_app


def create_app(service: Scoring | None = None) -> Flask:
    """Build the scoring app from the environment, or around a given service (tests)."""
    app, api = service_app(__name__, service or from_environment(load_settings, bootstrap), "Thi đua scoring")
    api.register_blueprint(blp)
    return app

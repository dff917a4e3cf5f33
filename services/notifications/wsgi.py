"""The notifications WSGI app for gunicorn: ``gunicorn 'services.notifications.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.notifications.api.routes import blp
from services.notifications.bootstrap import bootstrap
from services.notifications.config import load_settings
from services.notifications.service import Notifications
from shared.service import from_environment
from shared.web import service_app


def create_app(service: Notifications | None = None) -> Flask:
    """Build the notifications app from the environment, or around a given service (tests)."""
    app, api = service_app(
        __name__, service or from_environment(load_settings, bootstrap), "Thi đua notifications"
    )
    api.register_blueprint(blp)
    return app

"""The notifications WSGI app for gunicorn: ``gunicorn 'services.notifications.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.notifications.api.console import console
from services.notifications.api.routes import blp
from services.notifications.bootstrap import Notifications, bootstrap
from services.notifications.config import load_settings
from shared.logs import configure_logging
from shared.web import make_app


def create_app(service: Notifications | None = None) -> Flask:
    """Build the notifications app from the environment, or around a given service (tests)."""
    if service is None:
        settings = load_settings()
        configure_logging(settings.common.service, settings.common.log_level)
        service = bootstrap(settings)
    app, api = make_app(
        __name__,
        "Thi đua notifications",
        service.settings.jwt_secret,
        {"database": service.database_ready, "bus": service.bus_ready},
        lags=service.lags(),
    )
    app.extensions["notifications"] = service
    api.register_blueprint(blp)
    app.register_blueprint(console)
    return app

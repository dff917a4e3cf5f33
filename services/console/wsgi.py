"""The console WSGI app for gunicorn: ``gunicorn 'services.console.wsgi:create_app()'``."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, url_for

from services.console.bootstrap import bootstrap
from services.console.config import load_settings
from services.console.service import Console
from services.console.views import console
from shared.service import from_environment
from shared.web import make_app


def create_app(service: Console | None = None) -> Flask:
    """Build the console from the environment, or around a given one (tests)."""
    found = service or from_environment(load_settings, bootstrap)
    app, _api = make_app(
        __name__,
        "Thi đua console",
        found.config.common.jwt_secret,
        {"bus": found.bus_ready},
        {"OPENAPI_URL_PREFIX": None},  # pages for people: the console publishes no API document
    )
    app.extensions["console"] = found
    app.register_blueprint(console)

    @app.get("/")
    def _home() -> Any:
        return redirect(url_for("console.events"))

    return app

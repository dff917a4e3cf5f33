"""The submissions WSGI app for gunicorn: ``gunicorn 'services.submissions.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.submissions.api import filings, year
from services.submissions.bootstrap import Submissions, bootstrap
from services.submissions.config import load_settings
from shared.logs import configure_logging
from shared.web import make_app


def create_app(service: Submissions | None = None) -> Flask:
    """Build the submissions app from the environment, or around a given service (tests)."""
    if service is None:
        settings = load_settings()
        configure_logging(settings.common.service, settings.common.log_level)
        service = bootstrap(settings)
    app, api = make_app(
        __name__,
        "Thi đua submissions",
        service.settings.jwt_secret,
        {"database": service.database_ready, "bus": service.bus_ready},
        # Flask answers 413 before reading a larger body; a little room for the multipart envelope.
        {"MAX_CONTENT_LENGTH": service.max_upload_bytes + 64 * 1024},
        lags=service.lags(),
    )
    app.extensions["submissions"] = service
    for blueprint in (filings.blp, year.blp):
        api.register_blueprint(blueprint)
    return app

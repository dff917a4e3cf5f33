"""The submissions WSGI app for gunicorn: ``gunicorn 'services.submissions.wsgi:create_app()'``."""

from __future__ import annotations

from flask import Flask

from services.submissions.api import filings, personal, year
from services.submissions.bootstrap import bootstrap
from services.submissions.config import load_settings
from services.submissions.service import Submissions
from shared.service import from_environment
from shared.web import service_app


def create_app(service: Submissions | None = None) -> Flask:
    """Build the submissions app from the environment, or around a given service (tests)."""
    service = service or from_environment(load_settings, bootstrap)
    # Flask answers 413 before reading a larger body; a little room for the multipart envelope.
    upload_limit = {"MAX_CONTENT_LENGTH": service.config.max_upload_bytes + 64 * 1024}
    app, api = service_app(__name__, service, "Thi đua submissions", upload_limit)
    for blueprint in (filings.blp, year.blp, personal.blp):
        api.register_blueprint(blueprint)
    return app

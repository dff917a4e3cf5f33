"""Flask building blocks shared by the services: app factory pieces, errors, health, OpenAPI."""

from shared.web.app import make_app, service_app
from shared.web.errors import ApiError

__all__ = ["ApiError", "make_app", "service_app"]

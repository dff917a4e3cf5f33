"""Registry endpoints: load the request, run the handler, dump the result."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.api.schemas import SchoolIn, SchoolOut, SchoolQuery
from services.registry.app import handlers
from services.registry.bootstrap import Registry
from services.registry.domain.model import RegisterSchool
from shared.auth import ACADEMY_ADMIN, current_principal, require
from shared.eventstore import Context

blp = Blueprint("schools", __name__, url_prefix="/schools", description="Schools (trường chính trị)")


def _registry() -> Registry:
    """Return the registry built for this app."""
    registry: Registry = current_app.extensions["registry"]
    return registry


def _context() -> Context:
    """Return the actor and correlation id of this request, for the events it records."""
    return Context(actor=current_principal().actor, correlation_id=g.get("correlation_id"))


@blp.route("")
class Schools(MethodView):
    """The school list."""

    @require()
    @blp.arguments(SchoolQuery, location="query")
    @blp.response(200, SchoolOut(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List schools, filtered by kind and province, one page at a time."""
        return handlers.list_schools(
            _registry(), query.get("kind"), query.get("province"), query["page"], query["per_page"]
        )

    @require(ACADEMY_ADMIN)
    @blp.arguments(SchoolIn)
    @blp.response(201, SchoolOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register a school (academy_admin only); records SchoolRegistered."""
        return handlers.register_school(_registry(), RegisterSchool(**body), _context())


@blp.route("/<school_id>")
class School(MethodView):
    """One school."""

    @require()
    @blp.response(200, SchoolOut)
    def get(self, school_id: str) -> dict[str, Any]:
        """Return one school by its stable id."""
        return handlers.get_school(_registry(), school_id)

"""School endpoints: load the request, run the use case, dump the result."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.api.common import context, registry
from services.registry.api.schemas import (
    DeactivationIn,
    LineageOut,
    MergeIn,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
    SchoolQuery,
    SchoolYearsOut,
)
from services.registry.app import schools, year_turn
from services.registry.domain.schools import RegisterSchool
from shared.auth import ACADEMY_ADMIN, require

blp = Blueprint("schools", __name__, url_prefix="/schools", description="Schools (trường chính trị)")


@blp.route("")
class Schools(MethodView):
    """The school list."""

    @require()
    @blp.arguments(SchoolQuery, location="query")
    @blp.response(200, SchoolOut(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List schools, filtered by kind, province, status, year or cluster, one page at a time."""
        page, per_page = query.pop("page"), query.pop("per_page")
        return schools.list_schools(registry(), query, page, per_page)

    @require(ACADEMY_ADMIN)
    @blp.arguments(SchoolIn)
    @blp.response(201, SchoolOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register a school (academy_admin only); records SchoolRegistered."""
        return schools.register_school(registry(), RegisterSchool(**body), context())


@blp.route("/merges", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(MergeIn)
@blp.response(201, SchoolOut)
def merge_schools(body: dict[str, Any]) -> dict[str, Any]:
    """Merge schools into a successor on an effective date; records SchoolsMerged."""
    new_successor = RegisterSchool(**body["new_successor"]) if body["new_successor"] else None
    return schools.merge_schools(
        registry(),
        body["predecessor_ids"],
        body["successor_id"],
        new_successor,
        body["effective_date"],
        body["legal_basis"],
        context(),
    )


@blp.route("/<school_id>")
class School(MethodView):
    """One school."""

    @require()
    @blp.response(200, SchoolOut)
    def get(self, school_id: str) -> dict[str, Any]:
        """Return one school by its stable id."""
        return schools.get_school(registry(), school_id)

    @require(ACADEMY_ADMIN)
    @blp.arguments(SchoolPatch)
    @blp.response(200, SchoolOut)
    def patch(self, body: dict[str, Any], school_id: str) -> dict[str, Any]:
        """Change a school's details; records SchoolUpdated when something changes."""
        expected = body.pop("expected_version")
        return schools.update_school(registry(), school_id, body, expected, context())


@blp.route("/<school_id>/deactivation", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(DeactivationIn)
@blp.response(200, SchoolOut)
def deactivate_school(body: dict[str, Any], school_id: str) -> dict[str, Any]:
    """End a school's participation from a date on; records SchoolDeactivated."""
    return schools.deactivate_school(
        registry(), school_id, body["valid_to"], body["reason"], body["expected_version"], context()
    )


@blp.route("/<school_id>/lineage")
@require()
@blp.response(200, LineageOut)
def school_lineage(school_id: str) -> dict[str, Any]:
    """Return a school with the schools merged into it and those it was merged into."""
    return schools.lineage(registry(), school_id)


@blp.route("/<school_id>/years")
@require()
@blp.response(200, SchoolYearsOut)
def school_years(school_id: str) -> dict[str, Any]:
    """Return a school's cluster and role in each year, with those of the schools merged into it."""
    return year_turn.school_years(registry(), school_id)

"""Cluster endpoints: clusters per year, their members and their leadership."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.api.common import context, kept_document, registry
from services.registry.api.schemas import (
    CarriedClusterOut,
    CarryForwardIn,
    ClusterIn,
    ClusterOut,
    ClusterQuery,
    LeadershipIn,
    MemberIn,
    NextLeadershipIn,
    NominationOut,
)
from services.registry.app import clusters, year_turn
from shared.auth import ACADEMY_ADMIN, require

blp = Blueprint("clusters", __name__, url_prefix="/clusters", description="Clusters (cụm thi đua) per year")


@blp.route("")
class Clusters(MethodView):
    """The cluster list."""

    @require()
    @blp.arguments(ClusterQuery, location="query")
    @blp.response(200, ClusterOut(many=True))
    def get(self, query: dict[str, Any]) -> Response:
        """List clusters with their members, optionally of one year (a document: ETag and 304)."""
        year, page, per_page = query.get("year"), query["page"], query["per_page"]
        return kept_document(
            ("clusters", year, page, per_page),
            lambda: ClusterOut(many=True).dump(clusters.list_clusters(registry(), year, page, per_page)),
        )

    @require(ACADEMY_ADMIN)
    @blp.arguments(ClusterIn)
    @blp.response(201, ClusterOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Form a cluster for a year with its members and leadership; records ClusterFormed and more."""
        head = body["head_school_id"]
        leadership = (head, body["deputy_school_ids"], body["decision"]) if head else None
        return clusters.form_cluster(
            registry(),
            body["year"],
            body["name"],
            body["region"],
            body["member_school_ids"],
            leadership,
            context(),
        )


@blp.route("/<cluster_id>")
@require()
@blp.response(200, ClusterOut)
def get_cluster(cluster_id: str) -> dict[str, Any]:
    """Return one cluster with its members."""
    return clusters.get_cluster(registry(), cluster_id)


@blp.route("/<cluster_id>/members", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(MemberIn)
@blp.response(201, ClusterOut)
def add_member(body: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    """Add a school to the cluster for its year; records SchoolJoinedCluster."""
    return clusters.add_member(registry(), cluster_id, body["school_id"], body["expected_version"], context())


@blp.route("/<cluster_id>/members/<school_id>", methods=["DELETE"])
@require(ACADEMY_ADMIN)
@blp.response(200, ClusterOut)
def remove_member(cluster_id: str, school_id: str) -> dict[str, Any]:
    """Remove a school from the cluster for its year; records SchoolLeftCluster."""
    return clusters.remove_member(registry(), cluster_id, school_id, None, context())


@blp.route("/<cluster_id>/leadership", methods=["PUT"])
@require(ACADEMY_ADMIN)
@blp.arguments(LeadershipIn)
@blp.response(200, ClusterOut)
def assign_leadership(body: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    """Confirm the cluster's head and deputies for its year; records ClusterLeadershipAssigned."""
    return clusters.assign_leadership(
        registry(),
        cluster_id,
        body["head_school_id"],
        body["deputy_school_ids"],
        body["decision"],
        body["expected_version"],
        context(),
    )


@blp.route("/<cluster_id>/nomination")
@require()
@blp.response(200, NominationOut)
def nomination(cluster_id: str) -> dict[str, Any]:
    """Return next year's head and deputies as the cluster's dossier nominated them and as confirmed."""
    return year_turn.nomination_of(registry(), cluster_id)


@blp.route("/<cluster_id>/nomination/confirm", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(NextLeadershipIn)
@blp.response(200, NominationOut)
def confirm_nomination(body: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    """Confirm next year's head and deputies (as nominated unless named); NextYearLeadershipConfirmed."""
    return year_turn.confirm_leadership(
        registry(),
        cluster_id,
        body["head_school_id"],
        body["deputy_school_ids"],
        body["decision"],
        context(),
    )


@blp.route("/carry-forward", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(CarryForwardIn)
@blp.response(201, CarriedClusterOut(many=True))
def carry_forward(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Form a year's clusters from the year before's: members through the mergers, confirmed leadership."""
    return year_turn.carry_clusters_forward(registry(), body["year"], context())

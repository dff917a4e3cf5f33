"""Scoring endpoints: score cards, score tables (now or as of a moment), targets, proposals, exports."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.scoring.app import exports, queries, rebuilds, visibility
from services.scoring.service import Scoring
from shared.auth import ACADEMY_ADMIN, OPERATOR, current_principal, require
from shared.documents import attachment
from shared.web.conditional import document, served
from shared.web.docs import FILE, FREE_ARRAY, answers

blp = Blueprint("scoring", __name__, description="Scores, targets, rankings, proposals (kết quả chấm điểm)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPREADSHEET = {XLSX: {"schema": FILE}, "text/csv": {"schema": {"type": "string"}}}


class AsOfQuery(Schema):
    """A past moment, for disputes (ISO 8601 with a time zone)."""

    as_of = fields.AwareDateTime()


class ClusterQuery(Schema):
    """An optional cluster."""

    cluster_id = fields.String()


class FormatQuery(ClusterQuery):
    """The export format."""

    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


def _service() -> Scoring:
    service: Scoring = current_app.extensions["scoring"]
    return service


@blp.route("/score-cards/<int:year>/<school_id>")
@require()
@answers(blp, "The school's score card")
def score_card(year: int, school_id: str) -> Response:
    """Return a school's score card: which criterion gave or was verified, which filing cost what (with
    an ETag: 304 to a client that holds this revision)."""
    visibility.require_school(_service(), current_principal(), year, school_id)
    return served(document(queries.result(_service(), year, "school_score", school_id)))


@blp.route("/score-tables/<int:year>/<cluster_id>")
@require()
@answers(blp, "The cluster's ranked score table")
@blp.arguments(AsOfQuery, location="query")
def score_table(query: dict[str, Any], year: int, cluster_id: str) -> Response:
    """Return a cluster's ranked score table, now or as it stood at ``as_of`` (with an ETag: 304 to a
    client that holds it)."""
    visibility.require_cluster(_service(), current_principal(), cluster_id)
    if query.get("as_of"):
        return served(document(queries.score_table_as_of(_service(), year, cluster_id, query["as_of"])))
    return served(document(queries.result(_service(), year, "score_table", cluster_id)))


@blp.route("/score-tables/<int:year>/<cluster_id>/export")
@require()
@answers(blp, "The score table as a spreadsheet or CSV", SPREADSHEET)
@blp.arguments(FormatQuery, location="query")
def export_score_table(query: dict[str, Any], year: int, cluster_id: str) -> Response:
    """Download the score table (Bảng tổng hợp điểm) as XLSX or CSV."""
    visibility.require_cluster(_service(), current_principal(), cluster_id)
    table = queries.result(_service(), year, "score_table", cluster_id)["table"]
    names = queries.school_names(_service(), [r["school_id"] for r in table])
    rows = exports.score_table_rows(table, names, queries.band_names(_service(), year))
    return _download(
        query["format"], f"bang-tong-hop-diem-{year}-{cluster_id}", exports.SCORE_TABLE_HEADERS, rows
    )


@blp.route("/targets/<int:year>")
@require()
@answers(blp, "Each school's targets", {"application/json": {"schema": FREE_ARRAY}})
@blp.arguments(ClusterQuery, location="query")
def targets(query: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """Return every school's targets for a year, optionally of one cluster (a cluster head: its own)."""
    cluster_id = visibility.targets_cluster(_service(), current_principal(), query.get("cluster_id"))
    return queries.targets_report(_service(), year, cluster_id)


@blp.route("/targets/<int:year>/export")
@require()
@answers(blp, "The targets report as a spreadsheet or CSV", SPREADSHEET)
@blp.arguments(FormatQuery, location="query")
def export_targets(query: dict[str, Any], year: int) -> Response:
    """Download the targets report as XLSX or CSV."""
    cluster_id = visibility.targets_cluster(_service(), current_principal(), query.get("cluster_id"))
    rows = exports.targets_rows(queries.targets_report(_service(), year, cluster_id))
    return _download(query["format"], f"chi-tieu-{year}", exports.TARGETS_HEADERS, rows)


@blp.route("/proposals/<int:year>/<cluster_id>")
@require()
@answers(blp, "The cluster's award proposals with their vote")
def proposals(year: int, cluster_id: str) -> dict[str, Any]:
    """Return the cluster's award proposals (flag, certificates of merit) with their vote status."""
    visibility.require_cluster(_service(), current_principal(), cluster_id)
    return queries.result(_service(), year, "proposals", cluster_id)


def _download(fmt: str, name: str, headers: tuple[str, ...], rows: list[Any]) -> Response:
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.to_xlsx(name, headers, rows), XLSX
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment(f"{name}.{fmt}")
    return response


class RebuildOut(Schema):
    """A rebuild beside the live read model: its state and how far its replay got."""

    rebuild_id = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"enum": list(rebuilds.STATES)})
    done = fields.Integer()
    total = fields.Integer()
    published = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


@blp.route("/rebuilds")
@require(OPERATOR, ACADEMY_ADMIN)
@blp.response(200, RebuildOut(many=True))
def recent_rebuilds() -> list[dict[str, Any]]:
    """Return the latest rebuilds of the read model (thidua rebuild scoring), newest first."""
    return rebuilds.recent(_service().reader)

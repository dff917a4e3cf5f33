"""Year endpoints: documents, the status board, eligibility and exemptions."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from services.submissions.api.common import context, service
from services.submissions.api.schemas import (
    BoardQuery,
    DocumentOut,
    EligibilityOut,
    ExemptionIn,
    ExemptionOut,
    ReasonIn,
    VoidedConfirmationOut,
    YearQuery,
)
from services.submissions.app import board, confirmations, documents, eligibility, visibility
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, current_principal, require
from shared.documents import EXTENSIONS
from shared.errors import NotFound, RuleBroken
from shared.web.conditional import document, served
from shared.web.docs import FILE, answers, uploads

blp = Blueprint("year", __name__, description="Documents, status board, eligibility (tư cách bình xét)")


@blp.route("/documents", methods=["POST"])
@require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
@uploads(blp, "file", "A PDF, DOCX, XLSX, PNG or JPEG")
@blp.response(201, DocumentOut)
def upload_document() -> dict[str, Any]:
    """Store a PDF, DOCX, XLSX, PNG or JPEG sent as multipart field 'file'; returns its SHA-256."""
    upload = request.files.get("file")
    if upload is None:
        raise RuleBroken("send the document as multipart/form-data field 'file'", {}, "no_file")
    return documents.store_document(service(), upload.read(), upload.filename or "")


@blp.route("/documents/<sha256>")
@require()
@answers(
    blp, "The document's bytes, as the type detected from them", {t: {"schema": FILE} for t in EXTENSIONS}
)
def download_document(sha256: str) -> Response:
    """Return a stored document's bytes, to a caller who reads a filing it belongs to."""
    with service().reader.connect() as conn:
        readable = visibility.reads_document(conn, visibility.scope(conn, current_principal()), sha256)
    content = documents.read_document(service(), sha256) if readable else None
    if content is None:
        raise NotFound(f"no document {sha256}", {"sha256": sha256})
    kind = documents.filetype.guess(content)
    return Response(content, mimetype=kind.mime if kind else "application/octet-stream")


@blp.route("/status-board")
@require()
@answers(blp, "Each school and cluster the caller reads, by each required filing")
@blp.arguments(BoardQuery, location="query")
def status_board(query: dict[str, Any]) -> Response:
    """Return each school by each required filing of a year: missing, on time, late, amended or exempt.

    Served as a document: kept encoded while the data does not change, with an ETag (304 to a client
    that holds it)."""
    principal, cluster_id = current_principal(), query.get("cluster_id")
    return served(board.status_board(service(), principal, query["year"], cluster_id, document))


@blp.route("/eligibility")
@require()
@blp.arguments(YearQuery, location="query")
@blp.response(200, EligibilityOut(many=True))
def list_eligibility(query: dict[str, Any]) -> list[dict[str, Any]]:
    """List the schools whose eligibility was decided in a year."""
    return eligibility.eligibility_of(service(), current_principal(), query["year"])


@blp.route("/eligibility/<int:year>/<school_id>/restoration", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ReasonIn)
@blp.response(200, EligibilityOut)
def restore(body: dict[str, Any], year: int, school_id: str) -> dict[str, Any]:
    """Restore an ineligible school's eligibility with a reason; records EligibilityRestored."""
    return eligibility.restore_eligibility(service(), year, school_id, body["reason"], context())


@blp.route("/exemptions", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ExemptionIn)
@blp.response(201, ExemptionOut)
def exempt(body: dict[str, Any]) -> dict[str, Any]:
    """Exempt a school or cluster from one required filing; records FilingExempted."""
    return eligibility.exempt_filing(
        service(), body["year"], body["deadline_code"], body["filer_id"], body["reason"], context()
    )


@blp.route("/confirmations/<int:year>/<school_id>/<int:copy>/voiding", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ReasonIn)
@blp.response(201, VoidedConfirmationOut)
def void_confirmation(body: dict[str, Any], year: int, school_id: str, copy: int) -> dict[str, Any]:
    """Void a Form 09 confirmation recorded in error; records AchievementReportConfirmationVoided."""
    return confirmations.void_confirmation(service(), year, school_id, copy, body["reason"], context())

"""Personal data endpoints: the Academy finds a person, exports what is held, erases it; services open
sealed values through the owner's key API (keys never leave this service)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.submissions.api.common import context, service
from services.submissions.api.schemas import (
    ReasonIn,
    SubjectAccessOut,
    SubjectOut,
    SubjectQuery,
    TokensIn,
    TokensOut,
)
from services.submissions.app import personal
from shared.auth import ACADEMY_ADMIN, SERVICE, require

blp = Blueprint(
    "personal",
    __name__,
    url_prefix="/personal",
    description="Personal data (dữ liệu cá nhân): access, erasure",
)


@blp.route("/subjects")
@require(ACADEMY_ADMIN)
@blp.arguments(SubjectQuery, location="query")
@blp.response(200, SubjectOut(many=True))
def list_subjects(query: dict[str, Any]) -> list[dict[str, Any]]:
    """List the people the filings name (officers of Form 03, signatories of Form 09), newest first."""
    return personal.subjects(service(), query["find"])


@blp.route("/subjects/<subject_id>")
@require(ACADEMY_ADMIN)
@blp.response(200, SubjectAccessOut)
def subject_access(subject_id: str) -> dict[str, Any]:
    """Return everything held about one person (a subject-access export): fields and events naming them."""
    return personal.subject_access(service(), subject_id)


@blp.route("/subjects/<subject_id>/erasure", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ReasonIn)
@blp.response(200, SubjectOut)
def erase_subject(body: dict[str, Any], subject_id: str) -> dict[str, Any]:
    """Erase a person's data with a reason: their key is destroyed; records PersonalDataErased."""
    return personal.erase(service(), subject_id, body["reason"], context())


@blp.route("/open", methods=["POST"])
@require(SERVICE)
@blp.arguments(TokensIn)
@blp.response(200, TokensOut)
def open_tokens(body: dict[str, Any]) -> dict[str, Any]:
    """Return sealed values in clear to another service of the suite (erased ones read "[đã xóa]")."""
    return {"values": personal.open_tokens(service(), body["tokens"])}

"""Award endpoints: the proposals before the Academy, its decision, and the award register."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from services.registry.api.common import context, kept_document, registry
from services.registry.api.schemas import (
    CorrectionIn,
    DecisionIn,
    DecisionOut,
    DraftIn,
    DraftOut,
    ProposalsOut,
    RegisterEntryOut,
    RegisterQuery,
    RevocationIn,
)
from services.registry.app import awards
from services.registry.domain.awards import DecideAwards, DraftDecision, Verdict, new_decision_id
from shared.auth import ACADEMY_ADMIN, current_principal, require
from shared.documents import attachment
from shared.web.docs import answers

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"

blp = Blueprint(
    "awards", __name__, url_prefix="/awards", description="Award decisions and the award register"
)


@blp.route("/<int:year>/proposals")
@require()
@blp.response(200, ProposalsOut)
def proposals(year: int) -> Response:
    """Return the proposals of a year the caller reads (403 for a school or a province), quotas, decided
    (a document: ETag and 304)."""
    caller = current_principal()
    return kept_document(
        ("proposals", year, caller.role, caller.tenant),
        lambda: ProposalsOut().dump(awards.proposals_of(registry(), caller, year)),
    )


@blp.route("/<int:year>/decision", methods=["GET"])
@require()
@blp.response(200, DecisionOut)
def decision(year: int) -> Response:
    """Return the year's award decision (404 until issued; a document: ETag and 304)."""
    caller = current_principal()
    return kept_document(
        ("decision", year, caller.role, caller.tenant),
        lambda: DecisionOut().dump(awards.decision_of(registry(), caller, year)),
    )


@blp.route("/<int:year>/decision", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
def decide(body: dict[str, Any], year: int) -> dict[str, Any]:
    """Issue the year's decision, a verdict per proposal within the quotas; AwardsDecided, AwardGranted."""
    command = DecideAwards(
        year=year,
        number=body["number"],
        signed_on=body["signed_on"],
        signer_name=body["signer_name"],
        signer_title=body["signer_title"],
        verdicts=tuple(Verdict(**v) for v in body["verdicts"]),
    )
    return awards.decide_awards(registry(), command, context(), registry().paper_signer)


@blp.route("/<int:year>/decisions")
@require()
@blp.response(200, DecisionOut(many=True))
def decisions(year: int) -> Response:
    """Return the year's issued decisions, the main one first, with the verdicts the caller reads (a
    document: ETag and 304)."""
    caller = current_principal()
    return kept_document(
        ("decisions", year, caller.role, caller.tenant),
        lambda: DecisionOut(many=True).dump(awards.decisions_of(registry(), caller, year)),
    )


@blp.route("/<int:year>/drafts", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(DraftIn)
@blp.response(201, DraftOut)
def new_draft(body: dict[str, Any], year: int) -> dict[str, Any]:
    """Start a decision's draft (the main decision, or a supplementary one once the main is issued)."""
    return awards.save_draft(registry(), _draft(year, new_decision_id(), body), context())


@blp.route("/<int:year>/drafts", methods=["GET"])
@require(ACADEMY_ADMIN)
@blp.response(200, DraftOut(many=True))
def drafts(year: int) -> list[dict[str, Any]]:
    """Return the year's drafts not issued yet."""
    return [awards.draft_of(registry(), year, d["decision_id"]) for d in awards.drafts_of(registry(), year)]


@blp.route("/<int:year>/drafts/<decision_id>", methods=["GET"])
@require(ACADEMY_ADMIN)
@blp.response(200, DraftOut)
def draft(year: int, decision_id: str) -> dict[str, Any]:
    """Return a draft with its counts against the quotas (404 when there is none, or it is issued)."""
    return awards.draft_of(registry(), year, decision_id)


@blp.route("/<int:year>/drafts/<decision_id>", methods=["PUT"])
@require(ACADEMY_ADMIN)
@blp.arguments(DraftIn)
@blp.response(200, DraftOut)
def save_draft(body: dict[str, Any], year: int, decision_id: str) -> dict[str, Any]:
    """Save the next version of a draft (409 once it is issued)."""
    awards.draft_of(registry(), year, decision_id)  # 404 for a draft never started
    return awards.save_draft(registry(), _draft(year, decision_id, body), context())


@blp.route("/<int:year>/drafts/<decision_id>/issue", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.response(201, DecisionOut)
def issue(year: int, decision_id: str) -> dict[str, Any]:
    """Issue a draft as last saved, within the quotas; AwardsDecided and an AwardGranted per award."""
    return awards.issue_draft(registry(), year, decision_id, context(), registry().paper_signer)


@blp.route("/<int:year>/decisions/<decision_id>/corrections", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(CorrectionIn)
@blp.response(201, DecisionOut)
def correct(body: dict[str, Any], year: int, decision_id: str) -> dict[str, Any]:
    """Correct an issued decision's number, date or signer, with a reason; AwardDecisionCorrected."""
    reason = body.pop("reason")
    return awards.correct_decision(
        registry(), year, decision_id, body, reason, context(), registry().paper_signer
    )


@blp.route("/<int:year>/revocations", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(RevocationIn)
@blp.response(201, RegisterEntryOut)
def revoke(body: dict[str, Any], year: int) -> dict[str, Any]:
    """Revoke one award of the year, with its reason and legal ground; AwardRevoked."""
    return awards.revoke_award(
        registry(), year, body["school_id"], body["award"], body["reason"], body["legal_basis"], context()
    )


@blp.route("/<int:year>/decisions/<decision_id>/paper.docx")
@require()
@answers(
    blp,
    "The decision's paper (DOCX), the same bytes at every download",
    {DOCX: {"schema": {"type": "string"}}},
)
def decision_paper(year: int, decision_id: str) -> Response:
    """Download an issued decision's paper as it was issued (or corrected); its SHA-256 is the decision's."""
    return _docx(awards.decision_paper(registry(), year, decision_id), f"quyet-dinh-khen-thuong-{year}.docx")


@blp.route("/<int:year>/decisions/<decision_id>/paper.pdf")
@require()
@answers(
    blp,
    "The decision's paper as PDF, signed (PAdES) the day it was issued",
    {PDF: {"schema": {"type": "string"}}},
)
def signed_paper(year: int, decision_id: str) -> Response:
    """Download an issued decision's signed PDF, as signed (404 when it could not be signed here)."""
    response = Response(awards.signed_paper(registry(), year, decision_id), mimetype=PDF)
    response.headers["Content-Disposition"] = attachment(f"quyet-dinh-khen-thuong-{year}.pdf")
    return response


@blp.route("/<int:year>/drafts/<decision_id>/paper.docx")
@require(ACADEMY_ADMIN)
@answers(blp, "The draft's paper (DOCX), marked as a draft", {DOCX: {"schema": {"type": "string"}}})
def draft_paper(year: int, decision_id: str) -> Response:
    """Download a draft's paper, marked as a draft: what issuing it would give."""
    return _docx(awards.draft_paper(registry(), year, decision_id), f"du-thao-quyet-dinh-{year}.docx")


def _docx(content: bytes, name: str) -> Response:
    response = Response(content, mimetype=DOCX)
    response.headers["Content-Disposition"] = attachment(name)
    return response


def _draft(year: int, decision_id: str, body: dict[str, Any]) -> DraftDecision:
    verdicts = tuple(Verdict(**v) for v in body.pop("verdicts"))
    return DraftDecision(year=year, decision_id=decision_id, verdicts=verdicts, **body)


@blp.route("/register")
@require()
@blp.arguments(RegisterQuery, location="query")
@blp.response(200, RegisterEntryOut(many=True))
def register(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the award register: a year's, a school's (with those merged into it), or all of it."""
    return awards.register(registry(), current_principal(), query.get("year"), query.get("school_id"))

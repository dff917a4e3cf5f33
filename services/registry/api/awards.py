"""Award endpoints: the proposals before the Academy, its decision, and the award register."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.registry.api.common import context, registry
from services.registry.api.schemas import (
    DecisionIn,
    DecisionOut,
    ProposalsOut,
    RegisterEntryOut,
    RegisterQuery,
)
from services.registry.app import awards
from services.registry.domain.awards import DecideAwards, Verdict
from shared.auth import ACADEMY_ADMIN, current_principal, require

blp = Blueprint(
    "awards", __name__, url_prefix="/awards", description="Award decisions and the award register"
)


@blp.route("/<int:year>/proposals")
@require()
@blp.response(200, ProposalsOut)
def proposals(year: int) -> dict[str, Any]:
    """Return the proposals of a year the caller reads (403 for a school or a province), quotas, decided."""
    return awards.proposals_of(registry(), current_principal(), year)


@blp.route("/<int:year>/decision", methods=["GET"])
@require()
@blp.response(200, DecisionOut)
def decision(year: int) -> dict[str, Any]:
    """Return the year's award decision (404 until issued)."""
    return awards.decision_of(registry(), current_principal(), year)


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
    return awards.decide_awards(registry(), command, context())


@blp.route("/register")
@require()
@blp.arguments(RegisterQuery, location="query")
@blp.response(200, RegisterEntryOut(many=True))
def register(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the award register: a year's, a school's (with those merged into it), or all of it."""
    return awards.register(registry(), current_principal(), query.get("year"), query.get("school_id"))

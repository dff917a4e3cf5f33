"""The outcome of the awards where people look: the decision beside each proposal, a school's awards
across the years, a province's schools' awards, and the issued papers, for every role that reads them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from services.portal.views.common import for_roles, suite
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.documents import attachment

outcomes = Blueprint("outcomes", __name__, url_prefix="/khen-thuong")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AWARDED, NOT_AWARDED, REVOKED = "awarded", "not_awarded", "revoked"
OUTCOME_NAMES = {AWARDED: "Được khen thưởng", NOT_AWARDED: "Không khen thưởng", REVOKED: "Đã thu hồi"}


def decided(year: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Return, by (school, award), the decision on each proposal the caller reads, once there is one."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for decision in suite().get("registry", f"/awards/{year}/decisions"):
        for v in decision["verdicts"]:
            state = REVOKED if v.get("revoked") else AWARDED if v["awarded"] else NOT_AWARDED
            found[(v["school_id"], v["award"])] = {
                "state": state,
                "name": OUTCOME_NAMES[state],
                "reason": v.get("reason", ""),
                "number": decision["number"],
                "signed_on": decision["signed_on"],
                "decision_id": decision["decision_id"],
                "year": year,
                "signed": bool(decision.get("pdf_sha256")),
            }
    return found


def register_of(**params: Any) -> list[dict[str, Any]]:
    """Return the award register as the caller reads it (a school its own, a province its schools')."""
    found: list[dict[str, Any]] = suite().get("registry", "/awards/register", **params)
    return found


@outcomes.route("/quyet-dinh-<int:year>-<decision_id>.docx")
@for_roles(ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, PROVINCIAL_VIEWER)
def paper(year: int, decision_id: str) -> Any:
    """Download an issued award decision as it was issued (the same file at every download)."""
    content, _kind = suite().get_bytes("registry", f"/awards/{year}/decisions/{decision_id}/paper.docx")
    name = f"quyet-dinh-khen-thuong-{year}.docx"
    return Response(content, mimetype=DOCX, headers={"Content-Disposition": attachment(name)})


@outcomes.route("/quyet-dinh-<int:year>-<decision_id>.pdf")
@for_roles(ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, PROVINCIAL_VIEWER)
def signed_paper(year: int, decision_id: str) -> Any:
    """Download an issued award decision as the PDF signed with the Academy's certificate."""
    content, _kind = suite().get_bytes("registry", f"/awards/{year}/decisions/{decision_id}/paper.pdf")
    name = f"quyet-dinh-khen-thuong-{year}.pdf"
    return Response(content, mimetype="application/pdf", headers={"Content-Disposition": attachment(name)})

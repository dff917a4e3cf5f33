"""Filing endpoints: file, list, read, amend, reopen, and the history of a filing."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.submissions.api.common import context, service
from services.submissions.api.schemas import (
    AmendmentIn,
    FilingIn,
    FilingOut,
    FilingQuery,
    FilingVersionOut,
    ReasonIn,
    ReviewIn,
    WaitingOut,
    WaitingQuery,
)
from services.submissions.app import filings
from services.submissions.domain.filings import FileForm
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, current_principal, require

blp = Blueprint("filings", __name__, url_prefix="/filings", description="Filings (hồ sơ) of the year")


@blp.route("")
class Filings(MethodView):
    """The filings."""

    @require()
    @blp.arguments(FilingQuery, location="query")
    @blp.response(200, FilingOut(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """List filings, filtered by year, form, filer or cluster."""
        page, per_page = query.pop("page"), query.pop("per_page")
        return filings.list_filings(service(), current_principal(), query, page, per_page)

    @require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
    @blp.arguments(FilingIn)
    @blp.response(201, FilingOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """File a form for a school or a cluster; records the form's event, stamped on time or late."""
        command = FileForm(
            year=body["year"],
            form=body["form"],
            payload=body["payload"],
            school_id=body["school_id"],
            cluster_id=body["cluster_id"],
            documents=tuple(body["documents"]),
            document_names=tuple(body["document_names"].items()),
        )
        return filings.file_form(service(), current_principal(), command, context())


@blp.route("/waiting")
@require()
@blp.arguments(WaitingQuery, location="query")
@blp.response(200, WaitingOut)
def waiting(query: dict[str, Any]) -> dict[str, Any]:
    """Count the filings waiting for the caller's review (the forms its role reviews, in its scope)."""
    return filings.waiting_for(service(), current_principal(), query.get("year"))


@blp.route("/<submission_id>")
class Filing(MethodView):
    """One filing."""

    @require()
    @blp.response(200, FilingOut)
    def get(self, submission_id: str) -> dict[str, Any]:
        """Return one filing the caller may read (Form 03's personal data only for those who may see it)."""
        return filings.filing(service(), current_principal(), submission_id)

    @require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
    @blp.arguments(AmendmentIn)
    @blp.response(200, FilingOut)
    def put(self, body: dict[str, Any], submission_id: str) -> dict[str, Any]:
        """Amend a filing until its deadline (or once reopened); records SubmissionAmended."""
        return filings.amend_filing(
            service(),
            current_principal(),
            submission_id,
            body["payload"],
            tuple(body["documents"]),
            body["expected_version"],
            context(),
            body["document_names"],
        )


@blp.route("/<submission_id>/history")
@require()
@blp.response(200, FilingVersionOut(many=True))
def filing_history(submission_id: str) -> list[dict[str, Any]]:
    """Return every version of a filing the caller may read, oldest first."""
    return filings.history(service(), current_principal(), submission_id)


@blp.route("/<submission_id>/reopen", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(ReasonIn)
@blp.response(200, FilingOut)
def reopen_filing(body: dict[str, Any], submission_id: str) -> dict[str, Any]:
    """Let a filing be amended after its deadline; records SubmissionReopened."""
    return filings.reopen_filing(service(), submission_id, body["reason"], context())


@blp.route("/<submission_id>/review", methods=["POST"])
@require(ACADEMY_ADMIN, CLUSTER_HEAD)
@blp.arguments(ReviewIn)
@blp.response(200, FilingOut)
def review_filing(body: dict[str, Any], submission_id: str) -> dict[str, Any]:
    """Accept a filing or return it with a reason (the receiving level); FilingAccepted or FilingReturned."""
    principal = current_principal()
    return filings.review_filing(
        service(), principal, submission_id, body["decision"], body["reason"], context()
    )

"""Filing a form or amending it, shared by schools and cluster heads: fields, upload, errors, history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from services.forms import FORMS, Field, form_title
from services.portal import fields as f
from services.portal.views.common import page, person, refused, say, school_names, suite
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER
from shared.text import number
from shared.web.gateway import SuiteError

UPLOAD_LIMIT = 20 * 1024 * 1024


def latest_filing(year: int, form: str, filer_id: str) -> dict[str, Any] | None:
    """Return the filer's filing of a form in a year (the newest, for repeatable forms), or None."""
    found = suite().get("submissions", "/filings", year=year, form=form, filer_id=filer_id, per_page=500)
    return max(found, key=lambda filing: filing["filed_at"]) if found else None


def filings_of(year: int, filer_id: str) -> dict[str, dict[str, Any]]:
    """Return a filer's filings of a year by form (the newest of a repeatable form)."""
    found = suite().get("submissions", "/filings", year=year, filer_id=filer_id, per_page=500)
    latest: dict[str, dict[str, Any]] = {}
    for filing in sorted(found, key=lambda item: item["filed_at"]):
        latest[filing["form"]] = filing
    return latest


def submit(
    year: int,
    form: str,
    payload: dict[str, Any],
    filer: dict[str, str | None],
    existing: dict[str, Any] | None,
    rendered: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """File the form, or amend the existing filing (guarded by its version); attach an uploaded file
    and the papers the suite ``rendered`` for it (by name: they replace those of an earlier version)."""
    rendered = rendered or {}
    kept = [d for d in (existing["documents"] if existing else []) if d.get("name") not in rendered]
    documents = [d["sha256"] for d in kept]
    names = {d["sha256"]: d.get("name", "") for d in kept if d.get("name")}
    upload = request.files.get("document")
    if upload is not None and upload.filename:
        content = upload.read(UPLOAD_LIMIT + 1)
        if len(content) > UPLOAD_LIMIT:
            raise SuiteError(413, "too_large", "the file is larger than 20 MB")
        stored = suite().upload("submissions", "/documents", upload.filename, content)
        documents.append(stored["sha256"])
        names[stored["sha256"]] = upload.filename[:300]
    for name, paper in rendered.items():
        stored = suite().upload("submissions", "/documents", name, paper)
        documents += [] if stored["sha256"] in documents else [stored["sha256"]]
        names[stored["sha256"]] = name
    attached = {"documents": documents, "document_names": names}
    if existing is not None:
        body = {"payload": payload, **attached, "expected_version": int(request.form["version"])}
        return dict(suite().put("submissions", f"/filings/{existing['submission_id']}", body))
    body = {"year": year, "form": form, "payload": payload, **attached, **filer}
    return dict(suite().post("submissions", "/filings", body))


def form_page(
    template: str,
    year: int,
    form: str,
    existing: dict[str, Any] | None,
    back: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Any:
    """Render a form with its values (the filed ones when amending) and its field errors."""
    fields = FORMS[form].asked if form in FORMS else ()
    shown = values if values is not None else _filed_values(fields, existing)
    return page(
        template,
        status,
        year=year,
        form=form,
        title=form_title(form),
        fields=fields,
        values=shown,
        errors=errors or {},
        error_for=f.error_for,
        existing=existing,
        back=back,
        **extra,
    )


def outcome(error: SuiteError) -> tuple[str, dict[str, str], int]:
    """Return the page's message, the field errors and the status for a refused filing."""
    errors = f.field_errors(error.details) if error.status == 422 else {}
    criterion = error.details.get("criterion") if isinstance(error.details, dict) else None
    if criterion:
        errors[f"score.{criterion}"] = say(error)
    status = error.status if error.status in (400, 403, 404, 409, 413, 422) else 503
    return say(error), errors, status


def done(filing: dict[str, Any], to: str, **route: Any) -> Response:
    """Say the filing was received, with its stamp, and go to a page."""
    stamp = "đúng hạn" if filing.get("on_time") else "muộn" if filing.get("on_time") is False else ""
    flash(f"Đã nhận {form_title(filing['form'])}{f' ({stamp})' if stamp else ''}.", "notice")
    return redirect(url_for(to, **route))


def _filed_values(fields: Sequence[Field], existing: dict[str, Any] | None) -> dict[str, str]:
    """Return the values a filed payload shows in its form (score sheets by criterion)."""
    if existing is None:
        return {}
    payload = existing["payload"]
    values = f.values_of(fields, payload)
    for score in [*payload.get("scores", []), *payload.get("bonus", [])]:
        values[f"score.{score['criterion']}"] = number(score["points"])
    for key, value in payload.items():
        if isinstance(value, str):
            values.setdefault(key, value)
    for ballot in payload.get("ballots", []):
        values[f"voters.{ballot['school_id']}"] = str(ballot["voters"])
        values[f"in_favour.{ballot['school_id']}"] = str(ballot["in_favour"])
    nomination = payload.get("nomination") or {}
    values["head_school_id"] = nomination.get("head_school_id", "")
    values["deputy_school_ids"] = (nomination.get("deputy_school_ids") or [""])[0]
    return values


Endpoint = Callable[[dict[str, Any]], str | None]
"""Given a filing, the page's endpoint that acts on it, when the signed-in person may (else None)."""


def filing_page(submission_id: str, amend: Endpoint, review: Endpoint) -> Any:
    """Show a filing: stamp, review, content (a score sheet as the sheet), attachments, every version."""
    try:
        found = suite().get("submissions", f"/filings/{submission_id}")
        history = suite().get("submissions", f"/filings/{submission_id}/history")
        sheet = _sheet_of(found)
    except SuiteError as error:
        return page("message.html", error.status, title="Hồ sơ", text=say(error))
    names = school_names()
    return page(
        "filing.html",
        filing=found,
        history=history,
        amend=amend(found) if found.get("amendable") is not False else None,
        closed=amend(found) is not None and found.get("amendable") is False,
        review=review(found),
        sheet=sheet,
        names=names,
        filer_name=_filer_name(found, names),
        back=BACK.get(person().role),
    )


BACK = {
    SCHOOL_OFFICER: ("school.todo", "Về Việc cần làm"),
    CLUSTER_HEAD: ("cluster.reviews", "Về danh sách tiếp nhận hồ sơ"),
    ACADEMY_ADMIN: ("academy.reviews", "Về danh sách tiếp nhận hồ sơ"),
}
"""Where a filing's page leads back to, by role: the list the person came from."""


def _filer_name(filing: dict[str, Any], names: dict[str, str]) -> str:
    """Return who filed it, by name: the school's, or the cluster's."""
    if filing["filer_type"] == "school":
        return names.get(filing["filer_id"], "Trường không còn trong danh bạ")
    try:
        return str(suite().get("registry", f"/clusters/{filing['filer_id']}")["name"])
    except SuiteError:
        return "Cụm thi đua"


def _sheet_of(filing: dict[str, Any]) -> dict[str, Any] | None:
    """Return the year's score sheet a score-sheet filing was filled in on, with its points by criterion."""
    kind = FORMS[filing["form"]].school_kind if filing["form"] in FORMS else None
    if kind is None:
        return None
    sheets = suite().get("registry", f"/campaigns/{filing['year']}")["content"]["score_sheets"]
    sheet = next((s for s in sheets if s["school_kind"] == kind), None)
    if sheet is None:
        return None
    payload = filing["payload"]
    points = {s["criterion"]: s["points"] for s in [*payload.get("scores", []), *payload.get("bonus", [])]}
    return {**sheet, "points": points, "total": sum(points.values())}


def review_posted(submission_id: str, back: str) -> Response:
    """Send the posted review (accept, or return with a reason) to submissions; go back to the filing."""
    body = {"decision": request.form.get("decision", ""), "reason": request.form.get("reason", "").strip()}
    try:
        suite().post("submissions", f"/filings/{submission_id}/review", body)
    except SuiteError as error:
        return refused(error, back, submission_id=submission_id)
    flash("Đã tiếp nhận hồ sơ." if body["decision"] == "accept" else "Đã trả lại hồ sơ để bổ sung.", "notice")
    return redirect(url_for(back, submission_id=submission_id))

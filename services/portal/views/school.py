"""The school officer's pages: what the school owes, its forms, its inbox and its score card."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from services.forms import FORMS, PARTICIPATION_FORM, SCHOOL, filed_by
from services.portal import fields as f
from services.portal.views import filing, outcomes
from services.portal.views.common import for_roles, inbox_page, page, person, suite, today_text, year
from services.portal.views.glance import glance
from services.vocabulary import AWARD_NAMES
from shared.auth import SCHOOL_OFFICER
from shared.web.gateway import SuiteError

school = Blueprint("school", __name__, url_prefix="/truong")


def _school() -> dict[str, Any]:
    return dict(suite().get("registry", f"/schools/{person().tenant}"))


def _forms(kind: str) -> tuple[str, ...]:
    """Return the forms a school of this kind files, as the forms' declaration says."""
    return filed_by(SCHOOL, kind)


@school.route("/")
@for_roles(SCHOOL_OFFICER)
def todo() -> Any:
    """Việc cần làm: each required filing of the year, its form, due date and state."""
    the_year, me = year(), _school()
    board = suite().get("submissions", "/status-board", year=the_year)
    row = next((r for r in board["schools"] if r["school_id"] == me["school_id"]), None)
    filed = filing.filings_of(the_year, me["school_id"])
    items = []
    deadlines = [d for d in board["deadlines"] if d["filer"] == "school"]
    for deadline in deadlines:
        forms = [code for code in deadline["forms"] if code in _forms(me["kind"])]
        code = forms[0] if forms else deadline["forms"][0]
        cell = row["cells"].get(deadline["code"], {}) if row else {}
        items.append(
            {
                "form": code,
                "deadline": deadline,
                "due": cell.get("extended_to") or deadline["due"],
                "state": cell.get("status", "missing"),
                "cell": cell,
                "filing": filed.get(code),
            }
        )
    mine = {**board, "schools": [row] if row else [], "clusters": [], "deadlines": deadlines}
    return page(
        "school_todo.html",
        glance=glance(mine, today_text()),
        year=the_year,
        school=me,
        items=items,
        board=board,
        deadlines=deadlines,
        in_cluster=row is not None,
        eligible=row["eligible"] if row else True,
        participation=filed.get(PARTICIPATION_FORM),
    )


@school.route("/mau/<form>", methods=["GET", "POST"])
@for_roles(SCHOOL_OFFICER)
def file_form(form: str) -> Any:
    """Fill in, file or amend one of the school's forms (field errors come from the service's answer)."""
    me, the_year = _school(), year()
    if form not in _forms(me["kind"]):
        abort(404)
    existing = filing.latest_filing(the_year, form, me["school_id"])
    template = _template(the_year, me["kind"]) if FORMS[form].school_kind else None
    extra: dict[str, Any] = {"sheet": template, "school": me, "endpoint": "school.file_form"}
    if request.method == "GET":
        return filing.form_page("form.html", the_year, form, existing, "school.todo", **extra)
    payload = _score_payload(template) if template else f.payload_of(FORMS[form].asked, request.form)
    try:
        filed = filing.submit(the_year, form, payload, {"school_id": me["school_id"]}, existing)
    except SuiteError as error:
        message, errors, status = filing.outcome(error)
        values = dict(request.form)
        return filing.form_page(
            "form.html",
            the_year,
            form,
            existing,
            "school.todo",
            values,
            errors,
            status,
            error=message,
            **extra,
        )
    return filing.done(filed, "school.filed", submission_id=filed["submission_id"])


def _template(the_year: int, kind: str) -> dict[str, Any]:
    campaign = suite().get("registry", f"/campaigns/{the_year}")
    sheets = campaign["content"]["score_sheets"]
    return dict(next(sheet for sheet in sheets if sheet["school_kind"] == kind))


def _score_payload(template: dict[str, Any]) -> dict[str, Any]:
    """Return a score sheet's payload from the posted points (every criterion; bonus items when given)."""

    def points(code: str) -> Any:
        raw = request.form.get(f"score.{code}", "").strip().replace(",", ".")
        try:
            return float(raw)
        except ValueError:
            return raw

    scores = [
        {"criterion": i["code"], "points": points(i["code"])} for g in template["groups"] for i in g["items"]
    ]
    bonus = [
        {"criterion": i["code"], "points": points(i["code"])}
        for i in template.get("bonus", [])
        if request.form.get(f"score.{i['code']}", "").strip()
    ]
    return {"scores": scores, "bonus": bonus, "notes": request.form.get("notes", "")}


@school.route("/ho-so/<submission_id>")
@for_roles(SCHOOL_OFFICER)
def filed(submission_id: str) -> Any:
    """Show one of the school's filings with its stamp, review and every version (amend with history)."""
    return filing.filing_page(submission_id, lambda _found: "school.file_form", lambda _found: None)


@school.route("/hop-thu")
@for_roles(SCHOOL_OFFICER)
def inbox() -> Any:
    """The receipts, reminders and notices sent to the school."""
    return inbox_page()


@school.route("/khen-thuong")
@for_roles(SCHOOL_OFFICER)
def awards() -> Any:
    """The school's awards across the years (and those of schools merged into it), revoked ones marked."""
    entries = outcomes.register_of(school_id=person().tenant)
    return page("school_awards.html", entries=entries, school=_school(), awards=AWARD_NAMES)


@school.route("/diem")
@for_roles(SCHOOL_OFFICER)
def score_card() -> Any:
    """The school's score card of the year, once scoring has published it."""
    the_year = year()
    try:
        card = suite().get("scoring", f"/score-cards/{the_year}/{person().tenant}")
    except SuiteError as error:
        if error.status != 404:
            raise
        card = None
    bands = {
        b["code"]: b["name"] for b in suite().get("registry", f"/campaigns/{the_year}")["content"]["bands"]
    }
    return page("score_card.html", year=the_year, card=card, bands=bands, school=_school())

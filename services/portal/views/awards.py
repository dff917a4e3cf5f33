"""The Academy's awards: the national review of the clusters' proposals, the decision and its paper,
the award register across years, and the year's national statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for

from services.portal import statistics
from services.portal.views.common import all_schools, for_roles, page, say, school_names, suite
from services.vocabulary import AWARD_NAMES, PROPOSAL_STATES
from shared.auth import ACADEMY_ADMIN
from shared.cells import to_xlsx
from shared.documents import attachment
from shared.time import day_text
from shared.web.gateway import SuiteError

CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
"""A chart is a picture: opened on its own it runs nothing and loads nothing (its styles are inline)."""

awards = Blueprint("awards", __name__, url_prefix="/hoc-vien/khen-thuong")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_HEADERS = (
    "Năm",
    "Trường",
    "Hình thức khen thưởng",
    "Cụm thi đua",
    "Quyết định số",
    "Ngày ký",
    "Nay thuộc",
)
FIELDS = {
    "number": "Số quyết định",
    "signed_on": "Ngày ký",
    "signer_name": "Người ký",
    "signer_title": "Chức vụ người ký",
}


def _years() -> list[int]:
    """Return every campaign's year, newest first."""
    return [c["year"] for c in suite().get("registry", "/campaigns")]


def _award_year() -> int | None:
    """Return the year asked (``?nam=``), else the newest year whose clusters have proposed awards."""
    asked = request.args.get("nam", request.form.get("nam", ""))
    if asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    years = _years()
    for year in years:
        if suite().get("registry", f"/awards/{year}/proposals")["proposals"]:
            return year
    return years[0] if years else None


def _decision(year: int) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = suite().get("registry", f"/awards/{year}/decision")
        return found
    except SuiteError as error:
        if error.status == 404:
            return None
        raise


PARTICULAR_NAMES = {
    "number": "số",
    "signed_on": "ngày ký",
    "signer_name": "người ký",
    "signer_title": "chức vụ",
}
"""How the portal names a decision's particulars when it tells of a correction."""


def _review(year: int) -> dict[str, Any]:
    """Gather the national review: every proposal with its school, cluster, vote, dossier and Form 09."""
    before = suite().get("registry", f"/awards/{year}/proposals")
    clusters = {
        c["cluster_id"]: c["name"] for c in suite().get("registry", "/clusters", year=year, per_page=500)
    }
    board = suite().get("submissions", "/status-board", year=year)
    form_09 = {row["school_id"]: row["form_09"] for row in board["schools"]}
    dossiers = {row["cluster_id"]: row["dossier"] for row in board["clusters"]}
    rows = sorted(
        before["proposals"],
        key=lambda p: (list(AWARD_NAMES).index(p["award"]), p["status"] != "proposed", -p["final"]),
    )
    return {
        "year": year,
        "rows": rows,
        "quotas": before["quotas"],
        "clusters": clusters,
        "form_09": form_09,
        "dossiers": dossiers,
        "decision": _decision(year),
        "particular_names": PARTICULAR_NAMES,
    }


@awards.route("/", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def review() -> Any:
    """Review every cluster's proposals nationally and issue the decision, proposal by proposal."""
    year = _award_year()
    if year is None:
        return page("message.html", 404, title="Khen thưởng", text="Chưa có năm thi đua nào.")
    gathered = _review(year)
    shown: dict[str, Any] = {
        "names": school_names(),
        "awards": AWARD_NAMES,
        "statuses": PROPOSAL_STATES,
        "years": _years(),
    }
    if request.method == "GET" or gathered["decision"] is not None:
        return page("awards.html", **gathered, **shown, values={}, problems={})
    body, problems = _decision_body(gathered["rows"], request.form)
    if not problems:
        try:
            suite().post("registry", f"/awards/{year}/decision", body)
        except SuiteError as error:
            problems = {"": say(error)}
            status = error.status if error.status < 500 else 503
            return page("awards.html", status, **gathered, **shown, values=request.form, problems=problems)
        flash(f"Đã ban hành Quyết định khen thưởng số {body['number']}.", "notice")
        return redirect(url_for("awards.review", nam=year))
    return page("awards.html", 422, **gathered, **shown, values=request.form, problems=problems)


def verdict_field(proposal: dict[str, Any]) -> str:
    """Return the name of a proposal's verdict field in the decision form."""
    return f"verdict:{proposal['school_id']}:{proposal['award']}"


def _decision_body(rows: list[dict[str, Any]], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the decision as the registry takes it, and what the form lacks, by field."""
    problems = {
        name: f"Cần nhập {label.lower()}." for name, label in FIELDS.items() if not form.get(name, "").strip()
    }
    signed_on = form.get("signed_on", "")
    try:
        day = date.fromisoformat(signed_on).isoformat() if signed_on else ""
    except ValueError:
        problems["signed_on"], day = "Ngày ký không hợp lệ.", ""
    verdicts = []
    for proposal in (p for p in rows if p["status"] == "proposed"):
        field = verdict_field(proposal)
        chosen = form.get(field, "")
        if chosen not in ("awarded", "not_awarded"):
            problems[field] = "Chọn Khen thưởng hoặc Không khen thưởng."
            continue
        reason = form.get(f"reason:{field}", "").strip()
        if chosen == "not_awarded" and not reason:
            problems[field] = "Ghi rõ lý do không khen thưởng."
        verdict = {
            "school_id": proposal["school_id"],
            "award": proposal["award"],
            "awarded": chosen == "awarded",
        }
        verdicts.append({**verdict, "reason": reason} if chosen == "not_awarded" else verdict)
    body = {
        "number": form.get("number", "").strip(),
        "signed_on": day,
        "signer_name": form.get("signer_name", "").strip(),
        "signer_title": form.get("signer_title", "").strip(),
        "verdicts": verdicts,
    }
    return body, problems


@awards.route("/quyet-dinh-<int:year>.docx")
@for_roles(ACADEMY_ADMIN)
def decision_docx(year: int) -> Any:
    """Download the year's decision (Quyết định khen thưởng) with its list annex, as issued."""
    decision = _decision(year)
    if decision is None:
        return page(
            "message.html",
            404,
            title="Quyết định khen thưởng",
            text="Năm này chưa có quyết định khen thưởng.",
        )
    content, _kind = suite().get_bytes(
        "registry", f"/awards/{year}/decisions/{decision['decision_id']}/paper.docx"
    )
    name = f"quyet-dinh-khen-thuong-{year}.docx"
    return Response(content, mimetype=DOCX, headers={"Content-Disposition": attachment(name)})


@awards.route("/so-khen-thuong")
@for_roles(ACADEMY_ADMIN)
def register() -> Any:
    """The award register: every school's awards by year, a merged school's under its successor."""
    schools = sorted(all_schools(), key=lambda s: s["name"])
    chosen = request.args.get("truong", "")
    params = {"school_id": chosen} if chosen else {}
    entries = suite().get("registry", "/awards/register", **params)
    names = {s["school_id"]: s["name"] for s in schools}
    if request.args.get("tai") == "xlsx":
        return _register_xlsx(entries, names)
    return page(
        "register.html", entries=entries, names=names, schools=schools, chosen=chosen, awards=AWARD_NAMES
    )


def _register_xlsx(entries: list[dict[str, Any]], names: dict[str, str]) -> Response:
    rows = [
        (
            e["year"],
            e["school_name"],
            AWARD_NAMES.get(e["award"], e["award"]),
            e["cluster_name"],
            e["number"],
            day_text(e["signed_on"]),
            "" if e["held_by"] == e["school_id"] else names.get(e["held_by"], ""),
        )
        for e in entries
    ]
    content = to_xlsx("Sổ khen thưởng", REGISTER_HEADERS, rows)
    return Response(
        content, mimetype=XLSX, headers={"Content-Disposition": attachment("so-khen-thuong.xlsx")}
    )


@awards.route("/thong-ke")
@for_roles(ACADEMY_ADMIN)
def national_statistics() -> Any:
    """The year's national statistics by cluster, with a chart drawn by the server."""
    year = _award_year()
    if year is None:
        return page("message.html", 404, title="Thống kê", text="Chưa có năm thi đua nào.")
    figures = statistics.by_cluster(suite(), year)
    return page("statistics.html", year=year, years=_years(), figures=figures)


@awards.route("/thong-ke-<int:year>-<kind>.svg")
@for_roles(ACADEMY_ADMIN)
def statistics_chart(year: int, kind: str) -> Any:
    """One chart of the year's statistics by cluster (filings, or results), as SVG drawn by the server."""
    if kind not in statistics.CHARTS:
        return page("message.html", 404, title="Thống kê", text="Không có biểu đồ này.")
    svg = statistics.chart(statistics.by_cluster(suite(), year), kind)
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": CHART_POLICY})

"""The Academy's awards: the national review of the clusters' proposals, the decision and its paper,
the award register across years, and the year's national statistics."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for

from services.portal import statistics
from services.portal.views import exports
from services.portal.views.common import all_schools, for_roles, page, say, school_names, suite
from services.vocabulary import AWARD_NAMES, PROPOSAL_STATES
from shared.auth import ACADEMY_ADMIN
from shared.cells import to_xlsx
from shared.documents import attachment
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


DOSSIER_PROBLEMS = {
    "refuse": "Mẫu 09 chưa đủ 2 bản xác nhận: theo quy định của năm, chưa thể khen thưởng.",
    "override": "Mẫu 09 chưa đủ 2 bản xác nhận: ghi lý do vẫn khen thưởng, hoặc chọn Không khen thưởng.",
}
"""What the review says beside an award on an incomplete Form 09, under each rule the campaign may have."""
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
    decisions = suite().get("registry", f"/awards/{year}/decisions")
    decided = {(v["school_id"], v["award"]) for d in decisions for v in d["verdicts"]}
    drafts = suite().get("registry", f"/awards/{year}/drafts")
    return {
        "year": year,
        "rows": [
            p
            for p in rows
            if (p["school_id"], p["award"]) not in decided and not (decisions and p["status"] != "proposed")
        ],  # once decided, only what waits for a supplementary decision
        "quotas": before["quotas"],
        "clusters": clusters,
        "form_09": form_09,
        "dossiers": dossiers,
        "decision": decisions[0] if decisions else None,
        "decisions": decisions,
        "draft": drafts[0] if drafts else None,
        "earlier": Counter(v["award"] for d in decisions for v in d["verdicts"] if v["awarded"]),
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
    if request.method == "GET":
        return page("awards.html", **gathered, **shown, values=_draft_values(gathered["draft"]), problems={})
    action = request.form.get("action", "review")
    if action == "issue":
        return _issue(year, request.form.get("du_thao", ""))
    strict = action == "review"
    waiting = {s for s, f in gathered["form_09"].items() if not (f and f.get("complete"))}
    body, problems = _decision_body(gathered["rows"], request.form, strict, waiting)
    if problems:
        return page("awards.html", 422, **gathered, **shown, values=request.form, problems=problems)
    try:
        draft = _save_draft(year, gathered["draft"], body)
    except SuiteError as error:
        status = error.status if error.status < 500 else 503
        problems = {"": say(error)}
        return page("awards.html", status, **gathered, **shown, values=request.form, problems=problems)
    if not strict:
        flash("Đã lưu dự thảo quyết định.", "notice")
        return redirect(url_for("awards.review", nam=year))
    if draft["over_quota"]:
        over = SuiteError(422, "over_quota", "", {"over": draft["over_quota"]})
        gathered["draft"] = draft
        return page("awards.html", 422, **gathered, **shown, values=request.form, problems={"": say(over)})
    if draft["incomplete_dossiers"]:
        short = set(draft["incomplete_dossiers"])
        problems = {
            verdict_field(v): DOSSIER_PROBLEMS[draft["dossier_rule"]]
            for v in draft["verdicts"]
            if v["awarded"] and v["school_id"] in short
        }
        return page("awards.html", 422, **gathered, **shown, values=request.form, problems=problems)
    return page("awards_confirm.html", **shown, year=year, draft=draft, clusters=gathered["clusters"])


def _save_draft(year: int, draft: dict[str, Any] | None, body: dict[str, Any]) -> dict[str, Any]:
    """Save the form as the year's draft (a new one, or the next version of the one being edited)."""
    if draft is None:
        saved: dict[str, Any] = suite().post("registry", f"/awards/{year}/drafts", body)
        return saved
    found: dict[str, Any] = suite().put("registry", f"/awards/{year}/drafts/{draft['decision_id']}", body)
    return found


def _issue(year: int, decision_id: str) -> Any:
    """Issue a confirmed draft; back to the review with what the registry said."""
    try:
        issued = suite().post("registry", f"/awards/{year}/drafts/{decision_id}/issue", {})
    except SuiteError as error:
        flash(say(error), "error")
        return redirect(url_for("awards.review", nam=year))
    kind = "bổ sung " if issued["kind"] == "supplementary" else ""
    flash(f"Đã ban hành Quyết định khen thưởng {kind}số {issued['number']}.", "notice")
    return redirect(url_for("awards.review", nam=year))


def _draft_values(draft: dict[str, Any] | None) -> dict[str, str]:
    """Return the review form's values as the year's draft holds them (empty without a draft)."""
    if draft is None:
        return {}
    values = {name: str(draft.get(name) or "") for name in FIELDS}
    for v in draft["verdicts"]:
        field = verdict_field(v)
        values[field] = "awarded" if v["awarded"] else "not_awarded"
        values[f"reason:{field}"] = v.get("reason", "")
        values[f"override:{field}"] = v.get("override_reason", "")
    return values


@awards.route("/du-thao-<int:year>-<decision_id>.docx")
@for_roles(ACADEMY_ADMIN)
def draft_docx(year: int, decision_id: str) -> Any:
    """Download a draft's paper, marked as a draft: what issuing it would give."""
    content, _kind = suite().get_bytes("registry", f"/awards/{year}/drafts/{decision_id}/paper.docx")
    name = f"du-thao-quyet-dinh-khen-thuong-{year}.docx"
    return Response(content, mimetype=DOCX, headers={"Content-Disposition": attachment(name)})


@awards.route("/dinh-chinh/<int:year>/<decision_id>", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def correction(year: int, decision_id: str) -> Any:
    """Correct an issued decision's number, date or signer, with the reason (the verdicts stand)."""
    issued = next(
        (d for d in suite().get("registry", f"/awards/{year}/decisions") if d["decision_id"] == decision_id),
        None,
    )
    if issued is None:
        return page("message.html", 404, title="Đính chính", text="Không tìm thấy quyết định này.")
    values = request.form if request.method == "POST" else {k: str(issued[k]) for k in FIELDS}
    if request.method == "GET":
        return page(
            "awards_correct.html", year=year, decision=issued, values=values, problems={}, fields=FIELDS
        )
    changes = {k: request.form.get(k, "").strip() for k in FIELDS if request.form.get(k, "").strip()}
    reason = request.form.get("reason", "").strip()
    problems = {} if reason else {"reason": "Ghi rõ lý do đính chính."}
    if not problems:
        try:
            suite().post(
                "registry",
                f"/awards/{year}/decisions/{decision_id}/corrections",
                {**changes, "reason": reason},
            )
        except SuiteError as error:
            problems = {"": say(error)}
    if problems:
        return page(
            "awards_correct.html",
            422,
            year=year,
            decision=issued,
            values=values,
            problems=problems,
            fields=FIELDS,
        )
    flash(f"Đã đính chính Quyết định số {issued['number']}.", "notice")
    return redirect(url_for("awards.review", nam=year))


@awards.route("/thu-hoi/<int:year>/<school_id>/<award>", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def revocation(year: int, school_id: str, award: str) -> Any:
    """Revoke one award, with its reason and legal ground."""
    granted = next(
        (
            (d, v)
            for d in suite().get("registry", f"/awards/{year}/decisions")
            for v in d["verdicts"]
            if v["school_id"] == school_id and v["award"] == award and v["awarded"]
        ),
        None,
    )
    if granted is None:
        return page("message.html", 404, title="Thu hồi khen thưởng", text="Không tìm thấy khen thưởng này.")
    decision, verdict = granted
    shown = {
        "year": year,
        "decision": decision,
        "verdict": verdict,
        "award_name": AWARD_NAMES.get(award, award),
    }
    if request.method == "GET":
        return page("awards_revoke.html", **shown, values={}, problems={})
    reason, basis = request.form.get("reason", "").strip(), request.form.get("legal_basis", "").strip()
    problems = {
        name: text
        for name, text, given in (
            ("reason", "Ghi rõ lý do thu hồi.", reason),
            ("legal_basis", "Ghi rõ căn cứ pháp lý.", basis),
        )
        if not given
    }
    if not problems:
        body = {"school_id": school_id, "award": award, "reason": reason, "legal_basis": basis}
        try:
            suite().post("registry", f"/awards/{year}/revocations", body)
        except SuiteError as error:
            problems = {"": say(error)}
    if problems:
        return page("awards_revoke.html", 422, **shown, values=request.form, problems=problems)
    flash(f"Đã thu hồi {shown['award_name']} của {verdict.get('school_name', '')}.", "notice")
    return redirect(url_for("awards.review", nam=year))


def verdict_field(proposal: dict[str, Any]) -> str:
    """Return the name of a proposal's verdict field in the decision form."""
    return f"verdict:{proposal['school_id']}:{proposal['award']}"


def _decision_body(
    rows: list[dict[str, Any]], form: Any, strict: bool = True, waiting: set[str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the decision as the registry takes it, and what the form lacks, by field (a draft, not
    ``strict``, may lack anything: what is chosen is kept, what is not is left for later; a proposal of
    a school ``waiting`` for its Form 09 may be left for a supplementary decision)."""
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
            if strict and proposal["school_id"] not in (waiting or set()):
                problems[field] = "Chọn Khen thưởng hoặc Không khen thưởng."
            continue
        reason = form.get(f"reason:{field}", "").strip()
        if chosen == "not_awarded" and not reason and strict:
            problems[field] = "Ghi rõ lý do không khen thưởng."
        verdict = {
            "school_id": proposal["school_id"],
            "award": proposal["award"],
            "awarded": chosen == "awarded",
        }
        anyway = form.get(f"override:{field}", "").strip()
        if chosen == "awarded" and anyway:
            verdict["override_reason"] = anyway
        verdicts.append({**verdict, "reason": reason} if chosen == "not_awarded" else verdict)
    body = {
        "number": form.get("number", "").strip(),
        "signed_on": day or None,
        "signer_name": form.get("signer_name", "").strip(),
        "signer_title": form.get("signer_title", "").strip(),
        "verdicts": verdicts,
    }
    if not strict:
        problems = {k: v for k, v in problems.items() if k == "signed_on" and form.get(k, "").strip()}
    return body, problems


@awards.route("/quyet-dinh-<int:year>.docx")
@awards.route("/quyet-dinh-<int:year>-<decision_id>.docx")
@for_roles(ACADEMY_ADMIN)
def decision_docx(year: int, decision_id: str = "") -> Any:
    """Download a decision of the year (the main one by default) with its list annex, as issued."""
    decision = _decision(year) if not decision_id else {"decision_id": decision_id}
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
    name = f"Quyết định khen thưởng năm {year} số {decision['number'].replace('/', '-')}.docx"
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
            date.fromisoformat(e["signed_on"]),
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


@awards.route("/thong-ke-<int:year>.xlsx")
@for_roles(ACADEMY_ADMIN)
def statistics_xlsx(year: int) -> Any:
    """Download the year's statistics by cluster as XLSX."""
    return exports.statistics(year, statistics.by_cluster(suite(), year))


@awards.route("/thong-ke-<int:year>-<kind>.svg")
@for_roles(ACADEMY_ADMIN)
def statistics_chart(year: int, kind: str) -> Any:
    """One chart of the year's statistics by cluster (filings, or results), as SVG drawn by the server."""
    if kind not in statistics.CHARTS:
        return page("message.html", 404, title="Thống kê", text="Không có biểu đồ này.")
    svg = statistics.chart(statistics.by_cluster(suite(), year), kind)
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": CHART_POLICY})

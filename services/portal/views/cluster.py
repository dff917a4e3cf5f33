"""The cluster head's pages: the status board, the cluster's forms, reviews, the score table, proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from services.forms import CLUSTER_HEAD as CLUSTER_FILER
from services.forms import CLUSTER_HEAD as CLUSTER_REVIEWER
from services.forms import DOSSIER_FORM, FORMS, INSPECTION_FORM, OFFICERS_FORM, filed_by
from services.portal import accounts, papers
from services.portal import fields as f
from services.portal.views import filing, outcomes, queue
from services.portal.views.common import (
    for_roles,
    inbox_page,
    page,
    person,
    portal,
    say,
    school_names,
    suite,
    today_text,
)
from services.portal.views.glance import glance
from services.vocabulary import AWARD_NAMES, PROPOSAL_STATES
from shared.documents import attachment
from shared.time import local_text
from shared.web.gateway import SuiteError

cluster = Blueprint("cluster", __name__, url_prefix="/cum")
CLUSTER_HEAD = "cluster_head"


def _cluster() -> dict[str, Any]:
    return dict(suite().get("registry", f"/clusters/{person().tenant}"))


@cluster.route("/")
@for_roles(CLUSTER_HEAD)
def board() -> Any:
    """The cluster's status board: each member school and the cluster by each required filing."""
    me = _cluster()
    data = suite().get("submissions", "/status-board", year=me["year"], cluster_id=me["cluster_id"])
    view = glance(data, today_text(), {me["cluster_id"]: me["name"]})
    return page("board.html", cluster=me, board=data, names=school_names(), filed=_filings(me), glance=view)


def _filings(me: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found = suite().get("submissions", "/filings", year=me["year"], cluster_id=me["cluster_id"], per_page=500)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for item in sorted(found, key=lambda x: x["filed_at"]):
        latest[(item["filer_id"], item["deadline_code"] or item["form"])] = item
    return latest


@cluster.route("/mau")
@for_roles(CLUSTER_HEAD)
def forms() -> Any:
    """The cluster's forms of the year, with what is filed."""
    me = _cluster()
    filed = filing.filings_of(me["year"], me["cluster_id"])
    dossier = filed.get(DOSSIER_FORM)
    kept = papers.filed(dossier["documents"]) if dossier else {}
    board = suite().get("submissions", "/status-board", year=me["year"], cluster_id=me["cluster_id"])
    cells = board["clusters"][0]["cells"] if board["clusters"] else {}
    closed = {  # filed, past the deadline, neither reopened nor returned: amending would be refused
        form
        for d in board["deadlines"]
        if not cells.get(d["code"], {}).get("amendable", True)
        for form in d["forms"]
    }
    return page(
        "cluster_forms.html",
        cluster=me,
        forms=filed_by(CLUSTER_FILER),
        filed=filed,
        filed_papers=kept,
        closed=closed,
        cells={
            form: cells[d["code"]] for d in board["deadlines"] if d["code"] in cells for form in d["forms"]
        },
    )


@cluster.route("/mau/<form>", methods=["GET", "POST"])
@for_roles(CLUSTER_HEAD)
def file_form(form: str) -> Any:
    """Fill in, file or amend one of the cluster's forms."""
    if form not in filed_by(CLUSTER_FILER):
        abort(404)
    me = _cluster()
    repeat = FORMS[form].repeatable
    existing = None if repeat else filing.latest_filing(me["year"], form, me["cluster_id"])
    extra = _extra(me, form)
    if request.method == "GET":
        return filing.form_page("form.html", me["year"], form, existing, "cluster.forms", **extra)

    def refused(errors: dict[str, str], status: int, message: str) -> Any:
        values = dict(request.form)
        return filing.form_page(
            "form.html",
            me["year"],
            form,
            existing,
            "cluster.forms",
            values,
            errors,
            status,
            error=message,
            **extra,
        )

    try:
        payload = _payload(form, me, extra)
        foreign = _foreign_officers(payload) if form == OFFICERS_FORM else {}
        if foreign:
            return refused(
                foreign, 422, "Có địa chỉ thư điện tử thuộc tài khoản của đơn vị khác; đồng chí kiểm tra lại."
            )
        rendered = _papers(me, payload) if form == DOSSIER_FORM else {}
        filed = filing.submit(me["year"], form, payload, {"cluster_id": me["cluster_id"]}, existing, rendered)
    except SuiteError as error:
        message, errors, status = filing.outcome(error)
        return refused(errors, status, message)
    return filing.done(filed, "cluster.filed", submission_id=filed["submission_id"])


def _papers(me: dict[str, Any], payload: dict[str, Any]) -> dict[str, bytes]:
    """Render Mẫu 06, 07 and 08 of the dossier about to be filed, with the names of today."""
    now = suite_now()
    about_to_file = {"payload": payload, "filed_at": now.isoformat()}
    return papers.for_filing(papers.gather(suite(), me, school_names(), now, about_to_file))


def _foreign_officers(payload: dict[str, Any]) -> dict[str, str]:
    """Return the field errors of officers listed under the address of another unit's portal account."""
    with portal().reader.connect() as conn:
        return accounts.foreign_addresses(conn, payload["officers"])


def _extra(me: dict[str, Any], form: str) -> dict[str, Any]:
    """Return what a cluster form shows besides its fields: members, officers, proposals, a template."""
    names = school_names()
    members = [(s, names.get(s, s)) for s in me["member_ids"]]
    extra: dict[str, Any] = {"members": members, "endpoint": "cluster.file_form", "names": names}
    if form == INSPECTION_FORM:
        inspected = request.values.get("inspected_school_id") or me["member_ids"][0]
        kind = suite().get("registry", f"/schools/{inspected}")["kind"]
        sheets = suite().get("registry", f"/campaigns/{me['year']}")["content"]["score_sheets"]
        extra["sheet"] = next(s for s in sheets if s["school_kind"] == kind)
        extra["inspected"] = inspected
    if form == DOSSIER_FORM:
        extra["proposals"] = suite().get("scoring", f"/proposals/{me['year']}/{me['cluster_id']}")[
            "proposals"
        ]
        extra["awards"] = AWARD_NAMES
    return extra


def _payload(form: str, me: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Return the payload of a posted cluster form."""
    values = request.form
    if form == OFFICERS_FORM:
        officers = []
        for school_id in me["member_ids"]:
            row = {
                k: values.get(f"{school_id}.{k}", "").strip() for k in ("name", "position", "email", "phone")
            }
            if any(row.values()):
                officers.append({"school_id": school_id, **row})
        return {"officers": officers, "notes": values.get("notes", "")}
    if form == INSPECTION_FORM:
        return {
            "inspected_school_id": extra["inspected"],
            "inspecting_school_ids": values.getlist("inspecting_school_ids"),
            "cross_inspection": values.get("cross_inspection") == "on",
            "inspected_on": values.get("inspected_on", ""),
            "findings": values.get("findings", "").strip(),
            "verified_scores": [
                {"criterion": item["code"], "points": _number(values.get(f"score.{item['code']}", ""))}
                for group in extra["sheet"]["groups"]
                for item in group["items"]
                if values.get(f"score.{item['code']}", "").strip()
            ],
            "notes": values.get("notes", ""),
        }
    if form == DOSSIER_FORM:
        return _dossier(me, extra["proposals"])
    return f.payload_of(FORMS[form].asked, values)


def _dossier(me: dict[str, Any], proposals: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the dossier: texts of 06 and 07, each proposal's ballot, the table, 08 and the nomination."""
    values = request.form
    ballots = [
        {
            "school_id": p["school_id"],
            "award": p["award"],
            "voters": _number(values.get(f"voters.{p['school_id']}", ""), int),
            "in_favour": _number(values.get(f"in_favour.{p['school_id']}", ""), int),
        }
        for p in proposals
    ]
    table = suite().get("scoring", f"/score-tables/{me['year']}/{me['cluster_id']}")["table"]
    return {
        "report_06": values.get("report_06", "").strip(),
        "minutes_07": values.get("minutes_07", "").strip(),
        "ballots": ballots,
        "score_table": table,
        "proposals_08": [
            b for b in ballots if isinstance(b["voters"], int) and b["in_favour"] * 2 > b["voters"]
        ],
        "nomination": {
            "head_school_id": values.get("head_school_id", ""),
            "deputy_school_ids": [s for s in values.getlist("deputy_school_ids") if s],
        },
        "notes": values.get("notes", ""),
    }


def _number(raw: str, kind: type = float) -> Any:
    try:
        return kind(raw.strip().replace(",", ".")) if kind is float else kind(raw.strip())
    except ValueError:
        return raw


@cluster.route("/tiep-nhan", methods=["GET", "POST"])
@for_roles(CLUSTER_HEAD)
def reviews() -> Any:
    """The cluster head's review queue: its schools' filings of the forms the cluster receives."""
    if request.method == "POST":
        return queue.accept_chosen("cluster.reviews")
    me = _cluster()
    mine = queue.Queue(CLUSTER_REVIEWER, me["year"], me["cluster_id"])
    return queue.queue_page(mine, "Tiếp nhận hồ sơ của các trường", "cluster.filed", pick_year=False)


@cluster.route("/tiep-nhan.xlsx")
@for_roles(CLUSTER_HEAD)
def reviews_xlsx() -> Any:
    """Download the cluster's review queue, as filtered, as XLSX."""
    me = _cluster()
    mine = queue.Queue(CLUSTER_REVIEWER, me["year"], me["cluster_id"])
    return queue.queue_xlsx(mine, f"Hồ sơ gửi {me['name']}")


@cluster.route("/ho-so/<submission_id>")
@for_roles(CLUSTER_HEAD)
def filed(submission_id: str) -> Any:
    """Show a filing of the cluster or one of its schools, with its history and, to review, the decision."""

    def reviews(found: dict[str, Any]) -> str | None:
        receives = FORMS[found["form"]].reviewer == CLUSTER_FILER and found["filer_type"] == "school"
        return "cluster.review" if receives else None

    def amends(found: dict[str, Any]) -> str | None:
        return "cluster.file_form" if found["filer_type"] == "cluster" else None

    return filing.filing_page(submission_id, amends, reviews)


@cluster.route("/ho-so/<submission_id>/danh-gia", methods=["POST"])
@for_roles(CLUSTER_HEAD)
def review(submission_id: str) -> Any:
    """Accept a school's filing, or return it with a reason for completion."""
    return filing.review_posted(submission_id, "cluster.filed")


@cluster.route("/hop-thu")
@for_roles(CLUSTER_HEAD)
def inbox() -> Any:
    """The notices sent to the cluster (receipts of its filings, reminders, results)."""
    return inbox_page()


@cluster.route("/bang-diem")
@for_roles(CLUSTER_HEAD)
def scores() -> Any:
    """The cluster's ranked score table, as of now (or ``?as_of=``), with its XLSX export."""
    me = _cluster()
    params = {"as_of": request.args["as_of"]} if request.args.get("as_of") else {}
    try:
        table = suite().get("scoring", f"/score-tables/{me['year']}/{me['cluster_id']}", **params)
    except SuiteError as error:
        return page("message.html", error.status, title="Bảng tổng hợp điểm", text=say(error))
    bands = {
        b["code"]: b["name"] for b in suite().get("registry", f"/campaigns/{me['year']}")["content"]["bands"]
    }
    as_of = request.args.get("as_of") or local_text(suite_now())
    return page("scores.html", cluster=me, table=table, names=school_names(), bands=bands, as_of=as_of)


def suite_now() -> datetime:
    """Return the portal's clock (fixed in demonstrations and tests)."""
    return portal().clock()


@cluster.route("/bang-diem.xlsx")
@for_roles(CLUSTER_HEAD)
def scores_xlsx() -> Any:
    """Download the cluster's score table as the XLSX scoring exports."""
    me = _cluster()
    content, kind = suite().get_bytes(
        "scoring", f"/score-tables/{me['year']}/{me['cluster_id']}/export", format="xlsx"
    )
    name = f"Bảng tổng hợp điểm năm {me['year']} - {me['name']}.xlsx"
    return Response(content, mimetype=kind, headers={"Content-Disposition": attachment(name)})


@cluster.route("/de-nghi")
@for_roles(CLUSTER_HEAD)
def proposals() -> Any:
    """The award proposals of the cluster, with the vote and status."""
    me = _cluster()
    data = suite().get("scoring", f"/proposals/{me['year']}/{me['cluster_id']}")
    return page(
        "proposals.html",
        cluster=me,
        proposals=data,
        names=school_names(),
        awards=AWARD_NAMES,
        statuses=PROPOSAL_STATES,
        decided=outcomes.decided(me["year"]),
    )


@cluster.route("/van-ban/<paper>.docx")
@for_roles(CLUSTER_HEAD)
def paper(paper: str) -> Any:
    """Download Mẫu 06, 07 or 08: as the dossier's filing attached it, or until then a draft to sign."""
    if paper not in papers.PAPERS:
        abort(404)
    me = _cluster()
    dossier = filing.latest_filing(me["year"], DOSSIER_FORM, me["cluster_id"])
    kept = papers.filed(dossier["documents"]) if dossier else {}
    if paper in kept:
        return redirect(url_for("documents.download", sha256=kept[paper]["sha256"], ten=kept[paper]["name"]))
    content = papers.draft(paper, papers.gather(suite(), me, school_names(), suite_now()))
    name = f"Dự thảo Mẫu số {paper} năm {me['year']} - {me['name']}.docx"
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": attachment(name)},
    )

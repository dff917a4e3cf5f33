"""The Academy's pages: the national overview, decisions with a reason, the campaign, and accounts."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from services.forms import ACADEMY as ACADEMY_REVIEWER
from services.forms import FORMS, OFFICERS_FORM
from services.portal import accounts, mail
from services.portal.accounts import PORTAL_ROLES, AccountError
from services.portal.statistics import counted_state
from services.portal.views import exports, filing, queue
from services.portal.views.common import (
    all_schools,
    for_roles,
    page,
    person,
    portal,
    refused,
    say,
    school_names,
    suite,
    today_text,
    year,
)
from services.portal.views.glance import glance
from services.portal.views.province import where_of
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.time import local_date
from shared.web.gateway import SuiteError

academy = Blueprint("academy", __name__, url_prefix="/hoc-vien")


@academy.route("/")
@for_roles(ACADEMY_ADMIN)
def overview() -> Any:
    """The national overview: for each cluster, how many filings are in each state, and its dossier."""
    the_year = year()
    board = suite().get("submissions", "/status-board", year=the_year)
    summary = _summary(the_year, board)
    names = {cid: entry["cluster"].get("name", "Cụm thi đua") for cid, entry in summary.items()}
    view = glance(board, today_text(), names)
    return page("overview.html", year=the_year, summary=summary, deadlines=board["deadlines"], glance=view)


@academy.route("/toan-quoc.xlsx")
@for_roles(ACADEMY_ADMIN)
def overview_xlsx() -> Any:
    """Download the national overview of the year as XLSX."""
    the_year = year()
    board = suite().get("submissions", "/status-board", year=the_year)
    return exports.overview(the_year, _summary(the_year, board))


def _summary(the_year: int, board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return each cluster's schools, filings by state, ineligible schools and dossier, from the board."""
    clusters = {c["cluster_id"]: c for c in suite().get("registry", "/clusters", year=the_year, per_page=500)}
    summary: dict[str, dict[str, Any]] = {
        cid: {"cluster": c, "counts": {}, "ineligible": 0, "schools": 0} for cid, c in clusters.items()
    }
    for row in board["schools"]:
        entry = summary.setdefault(
            row["cluster_id"], {"cluster": {}, "counts": {}, "ineligible": 0, "schools": 0}
        )
        entry["schools"] += 1
        entry["ineligible"] += 0 if row["eligible"] else 1
        for cell in row["cells"].values():
            state = counted_state(cell)  # as Thống kê counts it: an amended filing by its stamp
            entry["counts"][state] = entry["counts"].get(state, 0) + 1
            entry["counts"]["amended"] = entry["counts"].get("amended", 0) + (cell["status"] == "amended")
    for row in board["clusters"]:
        if row["cluster_id"] in summary:
            summary[row["cluster_id"]]["dossier"] = row["dossier"]
    return summary


@academy.route("/cum/<cluster_id>")
@for_roles(ACADEMY_ADMIN)
def cluster_board(cluster_id: str) -> Any:
    """One cluster's status board as the Academy sees it."""
    try:
        cluster = suite().get("registry", f"/clusters/{cluster_id}")
        data = suite().get("submissions", "/status-board", year=cluster["year"], cluster_id=cluster_id)
    except SuiteError as error:
        return page("message.html", error.status, title="Cụm thi đua", text=say(error))
    view = glance(data, today_text(), {cluster_id: cluster["name"]})
    return page("board.html", cluster=cluster, board=data, names=school_names(), filed={}, glance=view)


def _reviewed_here() -> tuple[str, ...]:
    """Return the forms the Academy receives and reviews, as their declarations say (Form 01)."""
    return tuple(code for code, form in FORMS.items() if form.reviewer == ACADEMY_REVIEWER)


@academy.route("/tiep-nhan", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def reviews() -> Any:
    """The Academy's review queue: the schools' Form 01 and the clusters' filings, by filer's name."""
    if request.method == "POST":
        return queue.accept_chosen("academy.reviews")
    return queue.queue_page(queue.Queue(ACADEMY_REVIEWER, year()), "Tiếp nhận hồ sơ", "academy.filed")


@academy.route("/tiep-nhan.xlsx")
@for_roles(ACADEMY_ADMIN)
def reviews_xlsx() -> Any:
    """Download the review queue, as filtered, as XLSX."""
    return queue.queue_xlsx(queue.Queue(ACADEMY_REVIEWER, year()), "Hồ sơ gửi Học viện")


@academy.route("/ho-so/<submission_id>")
@for_roles(ACADEMY_ADMIN)
def filed(submission_id: str) -> Any:
    """Show a filing with its history; the forms the Academy receives can be accepted or returned here."""
    return filing.filing_page(
        submission_id,
        lambda _found: None,
        lambda found: "academy.review" if found["form"] in _reviewed_here() else None,
    )


@academy.route("/ho-so/<submission_id>/danh-gia", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def review(submission_id: str) -> Any:
    """Accept a filing the Academy receives, or return it with a reason for completion."""
    return filing.review_posted(submission_id, "academy.filed")


DECISIONS = {
    "extend": "Gia hạn",
    "exempt": "Miễn nộp",
    "reopen": "Mở lại hồ sơ",
    "restore": "Khôi phục tư cách bình xét",
}


@academy.route("/quyet-dinh", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def decisions() -> Any:
    """Extend a deadline, exempt a filer, reopen a filing or restore eligibility, each with a reason."""
    the_year = year()
    campaign = suite().get("registry", f"/campaigns/{the_year}")
    if request.method == "GET":
        return _decisions_page(the_year, campaign["content"]["deadlines"])
    kind, form = request.form.get("kind", ""), request.form
    reason = form.get("reason", "").strip()
    if kind not in DECISIONS:
        flash("Quyết định không hợp lệ.", "error")
        return redirect(url_for("academy.decisions", nam=the_year))
    if not reason:
        flash("Cần ghi rõ lý do của quyết định.", "error")
        return redirect(url_for("academy.decisions", nam=the_year))
    try:
        _decide(kind, the_year, form, reason)
    except SuiteError as error:
        return refused(error, "academy.decisions", nam=the_year)
    flash(f"Đã ghi nhận: {DECISIONS[kind].lower()}.", "notice")
    if _decided(the_year):
        flash(DECIDED_WARNING.format(year=the_year), "error")
    return redirect(url_for("academy.decisions", nam=the_year))


DECIDED_WARNING = (
    "Khen thưởng năm {year} đã được quyết định: quyết định này không làm thay đổi các quyết định khen "
    "thưởng đã ban hành. Muốn thay đổi kết quả khen thưởng, cần đính chính, ban hành quyết định bổ sung "
    "hoặc thu hồi ở trang Khen thưởng."
)


def _decided(the_year: int) -> bool:
    """Return whether the year's awards are decided (a decision then no longer changes them)."""
    try:
        return bool(suite().get("registry", f"/awards/{the_year}/proposals")["decided"])
    except SuiteError:
        return False


def _decisions_page(the_year: int, deadlines: list[dict[str, Any]]) -> Any:
    """Show the decisions with pickers: filers, filings and ineligible schools by name, never by id."""
    names = school_names()
    clusters = suite().get("registry", "/clusters", year=the_year, per_page=500)
    members = sorted({m for c in clusters for m in c["member_ids"]}, key=lambda s: names.get(s, s))
    filings = suite().get("submissions", "/filings", year=the_year, per_page=500)
    board = suite().get("submissions", "/status-board", year=the_year)
    closed = {
        cell["submission_id"]
        for row in [*board["schools"], *board["clusters"]]
        for cell in row["cells"].values()
        if cell.get("submission_id") and not cell.get("amendable", True)
    }
    return page(
        "decisions.html",
        year=the_year,
        decided_warning=DECIDED_WARNING.format(year=the_year) if _decided(the_year) else "",
        deadlines=deadlines,
        names=names,
        members=members,
        clusters=sorted(clusters, key=lambda c: c["name"]),
        cluster_names={c["cluster_id"]: c["name"] for c in clusters},
        filings=sorted(
            (f for f in filings if f["submission_id"] in closed),  # only what cannot be amended now
            key=lambda f: (names.get(f["filer_id"]) or "", f["form"]),
        ),
        ineligible=[r for r in board["schools"] if not r["eligible"]],
    )


def _decide(kind: str, the_year: int, form: Any, reason: str) -> None:
    """Send one decision to the service that records it."""
    if kind == "extend":
        filer_id = form.get("filer_id", "").strip()
        body = {"due": form.get("due", ""), "reason": reason} | ({"filer_id": filer_id} if filer_id else {})
        suite().post(
            "registry", f"/campaigns/{the_year}/deadlines/{form.get('deadline_code', '')}/extension", body
        )
    elif kind == "exempt":
        body = {
            "year": the_year,
            "deadline_code": form.get("deadline_code", ""),
            "filer_id": form.get("filer_id", "").strip(),
            "reason": reason,
        }
        suite().post("submissions", "/exemptions", body)
    elif kind == "reopen":
        suite().post(
            "submissions", f"/filings/{form.get('submission_id', '').strip()}/reopen", {"reason": reason}
        )
    else:
        school_id = form.get("school_id", "").strip()
        suite().post("submissions", f"/eligibility/{the_year}/{school_id}/restoration", {"reason": reason})


@academy.route("/ke-hoach")
@for_roles(ACADEMY_ADMIN)
def campaign() -> Any:
    """The year's campaign as readable pages: theme, targets, deadlines, score sheets, rules."""
    the_year = year()
    try:
        found = suite().get("registry", f"/campaigns/{the_year}")
    except SuiteError as error:
        return page("message.html", error.status, title="Kế hoạch thi đua", text=say(error))
    return page("campaign.html", year=the_year, campaign=found["content"])


@academy.route("/tai-khoan", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def accounts_page() -> Any:
    """The accounts; create one and send its invitation, or invite an officer listed in Form 03."""
    service = portal()
    if request.method == "POST":
        form = request.form
        role = form.get("role", "")
        tenant = form.get("tenant", "").strip() or None
        email, name = form.get("email", "").strip(), form.get("full_name", "").strip()
        if not email or "@" not in email or not name:
            flash("Cần họ tên và một địa chỉ thư điện tử hợp lệ.", "error")
            return redirect(url_for("academy.accounts_page"))
        if unknown := _unknown_tenant(role, tenant):
            flash(unknown, "error")
            return redirect(url_for("academy.accounts_page"))
        try:
            with service.engine.begin() as conn:
                account = accounts.create_account(
                    conn, email, name, role, tenant, person().subject, service.clock()
                )
                token = accounts.invite(
                    conn,
                    account.account_id,
                    timedelta(hours=service.config.invitation_hours),
                    person().subject,
                    service.clock(),
                )
        except AccountError as error:
            flash(error.message, "error")
            return redirect(url_for("academy.accounts_page"))
        _send_invitation(account, token, form.get("what", ""))
        return redirect(url_for("academy.accounts_page"))
    with service.reader.connect() as conn:
        listed = accounts.list_accounts(conn)
    pickers = _tenants()
    return page(
        "accounts.html",
        accounts=listed,
        roles=PORTAL_ROLES,
        year=year(),
        officers=_officers(year(), {a["email"] for a in listed}),
        names=school_names(),
        pickers=pickers,
        tenants=_tenant_names(pickers),
        me=person().account_id,
    )


@academy.route("/tai-khoan.xlsx")
@for_roles(ACADEMY_ADMIN)
def accounts_xlsx() -> Any:
    """Download the accounts as XLSX (addresses, names, roles, units and states; never a secret)."""
    with portal().reader.connect() as conn:
        listed = accounts.list_accounts(conn)
    return exports.accounts(listed, PORTAL_ROLES, _tenant_names(_tenants()))


@academy.route("/tai-khoan/<int:account_id>/moi-lai", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def reinvite(account_id: int) -> Any:
    """Send a new invitation link to an account (older links stop working once a password is set)."""
    service = portal()
    with service.engine.begin() as conn:
        account = accounts.account_by_id(conn, account_id)
        if account is None:
            flash("Không có tài khoản này.", "error")
            return redirect(url_for("academy.accounts_page"))
        token = accounts.invite(
            conn,
            account_id,
            timedelta(hours=service.config.invitation_hours),
            person().subject,
            service.clock(),
        )
    _send_invitation(account, token, "")
    return redirect(url_for("academy.accounts_page"))


@academy.route("/tai-khoan/<int:account_id>/trang-thai", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def set_active(account_id: int) -> Any:
    """Disable an account (its sessions end at once) or enable it again; never one's own."""
    active = request.form.get("active") == "1"
    if account_id == person().account_id and not active:
        flash("Không thể tự khóa tài khoản đang dùng.", "error")
        return redirect(url_for("academy.accounts_page"))
    service = portal()
    try:
        with service.engine.begin() as conn:
            accounts.set_active(conn, account_id, active, person().subject, service.clock())
    except AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("academy.accounts_page"))
    flash(
        "Đã mở lại tài khoản." if active else "Đã khóa tài khoản; mọi phiên của tài khoản đã kết thúc.",
        "notice",
    )
    return redirect(url_for("academy.accounts_page"))


@academy.route("/tai-khoan/<int:account_id>/vai-tro", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def change_role(account_id: int) -> Any:
    """Give an account another role and tenant; its sessions end, so it signs in again as that."""
    role, tenant = request.form.get("role", ""), request.form.get("tenant", "").strip() or None
    if account_id == person().account_id:
        flash("Không thể tự đổi vai trò của tài khoản đang dùng.", "error")
        return redirect(url_for("academy.accounts_page"))
    if unknown := _unknown_tenant(role, tenant):
        flash(unknown, "error")
        return redirect(url_for("academy.accounts_page"))
    service = portal()
    try:
        with service.engine.begin() as conn:
            accounts.change_role(conn, account_id, role, tenant, person().subject, service.clock())
    except AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("academy.accounts_page"))
    flash(f"Đã đổi vai trò thành {PORTAL_ROLES[role].lower()}; tài khoản cần đăng nhập lại.", "notice")
    return redirect(url_for("academy.accounts_page"))


def _tenants() -> dict[str, dict[str, str]]:
    """Return what each role's account may belong to, by value and name, for the pickers.

    A school's officer belongs to a school, a cluster head to a cluster of the year, and a provincial
    viewer to the province, city or ministry whose school bears its code: schools in place today, so
    that no one is invited into a school merged away (nor into one not yet formed), and no name shows
    twice.
    """
    today = local_date(portal().clock()).isoformat()
    in_place = (
        s
        for s in all_schools()
        if str(s.get("valid_from") or today) <= today and str(s.get("valid_to") or today) >= today
    )
    active = sorted(in_place, key=lambda s: s["name"])
    clusters = suite().get("registry", "/clusters", year=year(), per_page=500)
    provinces = {s["code"]: _capitalised(where_of(s)) for s in active}
    return {
        SCHOOL_OFFICER: {s["school_id"]: s["name"] for s in active},
        CLUSTER_HEAD: {c["cluster_id"]: c["name"] for c in sorted(clusters, key=lambda c: c["name"])},
        PROVINCIAL_VIEWER: dict(sorted(provinces.items(), key=lambda item: item[1])),
    }


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tenant_names(tenants: dict[str, dict[str, str]]) -> dict[str, str]:
    """Return how the accounts table names each tenant: schools, clusters and provinces by name."""
    return school_names() | {k: v for names in tenants.values() for k, v in names.items()}


TENANT_KINDS = {
    SCHOOL_OFFICER: "Cán bộ thi đua cần chọn trường của mình.",
    CLUSTER_HEAD: "Cụm trưởng cần chọn cụm thi đua của mình.",
    PROVINCIAL_VIEWER: "Người theo dõi của tỉnh, bộ, ngành cần chọn tỉnh, bộ, ngành của mình.",
}


def _unknown_tenant(role: str, tenant: str | None) -> str | None:
    """Say why a tenant does not fit the role (None when it does, or the role has none)."""
    if role not in TENANT_KINDS:
        return "Tài khoản của Học viện không thuộc đơn vị nào." if tenant else None
    if not tenant:
        return TENANT_KINDS[role]
    if role == CLUSTER_HEAD:
        try:
            suite().get("registry", f"/clusters/{tenant}")
            return None
        except SuiteError:
            return TENANT_KINDS[role]
    known = set(school_names()) if role == SCHOOL_OFFICER else {s["code"] for s in all_schools()}
    return None if tenant in known else TENANT_KINDS[role]


def _send_invitation(account: accounts.Account, token: str, what: str) -> None:
    settings = portal().config
    link = f"{settings.public_url}{url_for('auth.invitation', token=token)}"
    try:
        mail.send(settings, mail.invitation_message(settings, account, link, what))
    except (OSError, smtplib.SMTPException):
        flash(f"Đã tạo tài khoản {account.email} nhưng chưa gửi được thư mời; hãy gửi lại sau.", "error")
        return
    flash(f"Đã gửi thư mời tới {account.email}.", "notice")


def _officers(the_year: int, known: set[str]) -> list[dict[str, Any]]:
    """Return the officers the clusters listed in Form 03 that year, with whether they have an account."""
    listed = suite().get("submissions", "/filings", year=the_year, form=OFFICERS_FORM, per_page=500)
    officers = []
    for listing in listed:
        for officer in listing["payload"].get("officers", []):
            officers.append({**officer, "has_account": accounts.normalised_email(officer["email"]) in known})
    return sorted(officers, key=lambda o: (o["school_id"], o["email"]))

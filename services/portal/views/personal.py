"""The Academy's pages on personal data: who the filings name, what is held about one of them (to read
or to download), and erasing it with a reason (Decree 13/2023/NĐ-CP; the Law on Personal Data Protection)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for

from services.forms import form_title
from services.portal import accounts
from services.portal.tables import accounts as account_table
from services.portal.views.common import (
    ROLE_NAMES,
    all_schools,
    for_roles,
    page,
    person,
    portal,
    refused,
    say,
    school_names,
    suite,
)
from services.portal.views.province import where_of
from shared.auth import ACADEMY_ADMIN
from shared.documents import attachment
from shared.web.gateway import SuiteError

personal = Blueprint("personal", __name__, url_prefix="/hoc-vien/du-lieu-ca-nhan")

KINDS = {
    "Officer": "Cán bộ phụ trách thi đua (Mẫu số 03)",
    "AchievementReportConfirmedV1": "Người ký xác nhận báo cáo thành tích (Mẫu số 09)",
}
FIELDS = {
    "name": "Họ và tên",
    "signatory": "Người ký",
    "position": "Chức vụ",
    "email": "Thư điện tử",
    "phone": "Điện thoại",
}
EVENTS = {
    "SubmissionAmended": "Sửa đổi hồ sơ",
    "AchievementReportConfirmed": "Xác nhận báo cáo thành tích (Mẫu số 09)",
}


@personal.route("/")
@for_roles(ACADEMY_ADMIN)
def people() -> Any:
    """List the people the filings name, with a search by name, e-mail or phone."""
    find = request.args.get("tim", "").strip()[:200]
    try:
        found = suite().get("submissions", "/personal/subjects", find=find)
    except SuiteError as error:
        return page("message.html", error.status, title="Dữ liệu cá nhân", text=say(error))
    return page("personal.html", people=found, find=find, kinds=KINDS, names=school_names())


@personal.route("/<subject_id>")
@for_roles(ACADEMY_ADMIN)
def held(subject_id: str) -> Any:
    """Show everything held about one person, readably, with the download and the erasure."""
    try:
        found = suite().get("submissions", f"/personal/subjects/{subject_id}")
    except SuiteError as error:
        return page("message.html", error.status, title="Dữ liệu cá nhân", text=say(error))
    email = found["fields"].get("email")
    account = _account_of(email) if email else None
    return page(
        "personal_subject.html",
        subject=found,
        kinds=KINDS,
        labels=FIELDS,
        names=school_names(),
        records=[_record(event) for event in found["events"]],
        account=account,
        roles=ROLE_NAMES,
    )


@personal.route("/<subject_id>/tai-ve")
@for_roles(ACADEMY_ADMIN)
def download(subject_id: str) -> Any:
    """Download the subject-access export as JSON: the person's fields, events and portal account."""
    try:
        found = suite().get("submissions", f"/personal/subjects/{subject_id}")
    except SuiteError as error:
        return refused(error, "personal.people")
    email = found["fields"].get("email")
    export = {**found, "portal_account": _account_of(email) if email else None}
    body = json.dumps(export, ensure_ascii=False, indent=2, default=str)
    name = f"du-lieu-ca-nhan-{found['subject_id']}.json"  # the subject's id as recorded, not the link's
    return Response(body, mimetype="application/json", headers={"Content-Disposition": attachment(name)})


@personal.route("/<subject_id>/xoa", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def erase(subject_id: str) -> Any:
    """Erase a person's data with a reason; the portal account of their address only if it is picked."""
    reason = request.form.get("reason", "").strip()
    if not reason or request.form.get("confirm") != "1":
        flash("Cần ghi rõ lý do xóa và đánh dấu xác nhận.", "error")
        return redirect(url_for("personal.held", subject_id=subject_id))
    try:
        email = suite().get("submissions", f"/personal/subjects/{subject_id}")["fields"].get("email")
        suite().post("submissions", f"/personal/subjects/{subject_id}/erasure", {"reason": reason})
    except SuiteError as error:
        return refused(error, "personal.held", subject_id=subject_id)
    anonymised = False
    picked = request.form.get("account_id", "")  # ticked on the page, beside the account's name and unit
    if email and picked.isdigit():
        try:
            with portal().engine.begin() as conn:
                accounts.erase_account(conn, int(picked), email, person().subject, portal().clock())
            anonymised = True
        except accounts.AccountError as refusal:
            flash(str(refusal), "error")
    flash(
        "Đã xóa dữ liệu cá nhân của người này"
        + ("; tài khoản cổng thông tin của họ đã được ẩn danh." if anonymised else "."),
        "notice",
    )
    return redirect(url_for("personal.held", subject_id=subject_id))


def _account_of(email: str) -> dict[str, Any] | None:
    """Return the portal account of an address (name, role, since when), never its secrets."""
    with portal().engine.connect() as conn:
        row = (
            conn.execute(
                account_table.select().where(account_table.c.email == accounts.normalised_email(email))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    return {
        "account_id": row["account_id"],
        "full_name": row["full_name"],
        "email": row["email"],
        "role": row["role"],
        "unit": _unit_name(row["role"], row["tenant"]),
        "active": row["active"],
        "created_at": row["created_at"],
    }


def _unit_name(role: str, tenant: str | None) -> str:
    """Name the unit an account works for: its school, cluster, province or ministry (the Academy's own)."""
    if not tenant:
        return "Học viện Chính trị quốc gia Hồ Chí Minh"
    if role == "school_officer":
        return school_names().get(tenant, tenant)
    if role == "cluster_head":
        try:
            return str(suite().get("registry", f"/clusters/{tenant}").get("name") or tenant)
        except SuiteError:
            return tenant
    provinces = {s["code"]: where_of(s) for s in all_schools()}
    return str(provinces.get(tenant, tenant))


def _record(event: dict[str, Any]) -> dict[str, Any]:
    """Return one event naming the person as a reader sees it: what, when, and the fields it gave."""
    data = event["data"]
    what = EVENTS.get(event["type"]) or (form_title(data["form"]) if data.get("form") else event["type"])
    return {
        "what": what,
        "at": event["recorded_at"],
        "year": data.get("year"),
        "submission_id": data.get("submission_id"),
    }

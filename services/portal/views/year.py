"""The Academy opens a year from the last and carries the clusters forward into it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from services.portal.views.common import for_roles, page, portal, refused, say, school_names, suite
from services.vocabulary import AWARD_NAMES
from shared.auth import ACADEMY_ADMIN
from shared.time import local_date
from shared.web.gateway import SuiteError

new_year = Blueprint("year", __name__, url_prefix="/hoc-vien/nam-moi")


def _latest() -> int | None:
    """Return the newest year with a campaign, if any."""
    return max((c["year"] for c in suite().get("registry", "/campaigns")), default=None)


@new_year.route("/", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def open_year() -> Any:
    """See last year's campaign carried into the next, edit its theme, basis and dates, and open it."""
    latest = _latest()
    if latest is None:
        return page(
            "message.html", 404, title="Mở năm thi đua", text="Chưa có kế hoạch thi đua nào để sao chép."
        )
    into = latest + 1
    copy = suite().get("registry", f"/campaigns/{latest}/copy", into=into)["content"]
    if request.method == "GET":  # dates already past are marked at once, to be changed before opening
        late = passed(copy["deadlines"], local_date(portal().clock()))
        return page("open_year.html", from_year=latest, year=into, campaign=copy, values={}, problems=late)
    content, problems = _edited(copy, request.form)
    problems |= {} if problems else passed(content["deadlines"], local_date(portal().clock()))
    if problems:
        return page(
            "open_year.html",
            422,
            from_year=latest,
            year=into,
            campaign=content,
            values=request.form,
            problems=problems,
        )
    try:
        suite().post("registry", "/campaigns", content)
    except SuiteError as error:
        return page(
            "open_year.html",
            error.status if error.status < 500 else 503,
            from_year=latest,
            year=into,
            campaign=content,
            values=request.form,
            problems={"": say(error)},
        )
    flash(f"Đã mở năm thi đua {into}. Bước tiếp theo: chuyển các cụm sang năm {into}.", "notice")
    return redirect(url_for("year.clusters", nam=into))


def _edited(copy: dict[str, Any], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the copy with the theme, basis and dates as typed in, and what is wrong with them."""
    problems: dict[str, str] = {}
    theme = form.get("theme", "").strip()
    if not theme:
        problems["theme"] = "Cần ghi chủ đề thi đua của năm."
    deadlines = []
    for deadline in copy["deadlines"]:
        typed = form.get(f"due.{deadline['code']}", deadline["due"]).strip()
        try:
            due = date.fromisoformat(typed)
        except ValueError:
            problems[f"due.{deadline['code']}"] = "Ngày không hợp lệ (dd/mm/yyyy)."
            due = date.fromisoformat(deadline["due"])
        deadlines.append({**deadline, "due": due.isoformat()})
    deadlines.sort(key=lambda d: str(d["due"]))  # the campaign lists its deadlines in date order
    edited = {
        **copy,
        "theme": theme,
        "legal_basis": form.get("legal_basis", "").strip(),
        "deadlines": deadlines,
        "award_rules": {**copy["award_rules"], "national_quotas": _quotas(copy, form, problems)},
    }
    return edited, problems


def passed(deadlines: list[dict[str, Any]], today: date) -> dict[str, str]:
    """Return a problem for each deadline already past today: opened so, every school would be charged
    for it at once (missed, late, ineligible) though it never had the time to file."""
    said = f"Ngày này đã qua (hôm nay là {today:%d/%m/%Y}); chọn một ngày từ hôm nay trở đi."
    return {f"due.{d['code']}": said for d in deadlines if date.fromisoformat(str(d["due"])) < today}


def _quotas(copy: dict[str, Any], form: Any, problems: dict[str, str]) -> dict[str, int] | None:
    """Return the year's national quotas as typed in (both blank: none, each cluster's quota counts)."""
    kept = copy["award_rules"].get("national_quotas") or {}
    typed = {award: form.get(f"quota.{award}", str(kept.get(award, ""))).strip() for award in AWARD_NAMES}
    if not any(typed.values()):
        return None
    quotas = {}
    for award, value in typed.items():
        if not value.isdigit():
            problems[f"quota.{award}"] = "Ghi một số nguyên, từ 0 trở lên."
            continue
        quotas[award] = int(value)
    return quotas if len(quotas) == len(AWARD_NAMES) else kept or None


@new_year.route("/cum", methods=["GET", "POST"])
@for_roles(ACADEMY_ADMIN)
def clusters() -> Any:
    """Carry the clusters into a year: last year's nominations, what the mergers changed, what to decide."""
    into = int(request.args.get("nam") or (_latest() or 0))
    if request.method == "POST":
        try:
            carried = suite().post("registry", "/clusters/carry-forward", {"year": into})
        except SuiteError as error:
            return refused(error, "year.clusters", nam=into)
        flash(f"Đã chuyển {len(carried)} cụm sang năm {into}.", "notice")
        return redirect(url_for("year.clusters", nam=into))
    previous = suite().get("registry", "/clusters", year=into - 1, per_page=500)
    nominations = {
        c["cluster_id"]: suite().get("registry", f"/clusters/{c['cluster_id']}/nomination") for c in previous
    }
    formed = suite().get("registry", "/clusters", year=into, per_page=500)
    names = school_names()
    return page(
        "carry_clusters.html",
        year=into,
        previous=previous,
        nominations=nominations,
        formed=formed,
        flagged=[c for c in formed if not c.get("head_school_id") or not c.get("deputy_school_ids")],
        names=names,
    )


@new_year.route("/cum/<cluster_id>/xac-nhan", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def confirm(cluster_id: str) -> Any:
    """Confirm next year's leadership of a cluster as its conference nominated it."""
    into = request.form.get("nam", "")
    body = {"decision": request.form.get("decision", "").strip()}
    try:
        suite().post("registry", f"/clusters/{cluster_id}/nomination/confirm", body)
    except SuiteError as error:
        return refused(error, "year.clusters", nam=into)
    flash("Đã xác nhận Cụm trưởng, Cụm phó năm sau theo đề cử của hội nghị.", "notice")
    return redirect(url_for("year.clusters", nam=into))


@new_year.route("/cum/<cluster_id>/lanh-dao", methods=["POST"])
@for_roles(ACADEMY_ADMIN)
def leadership(cluster_id: str) -> Any:
    """Set a cluster's head and deputies from its current members (the Academy's decision)."""
    into = request.form.get("nam", "")
    deputies = [d for d in request.form.getlist("deputy_school_ids") if d]
    if not request.form.get("head_school_id"):
        flash("Cần chọn Cụm trưởng.", "error")
        return redirect(url_for("year.clusters", nam=into))
    body = {
        "head_school_id": request.form.get("head_school_id", ""),
        "deputy_school_ids": deputies,
        "decision": request.form.get("decision", "").strip(),
    }
    try:
        suite().put("registry", f"/clusters/{cluster_id}/leadership", body)
    except SuiteError as error:
        return refused(error, "year.clusters", nam=into)
    flash("Đã giao Cụm trưởng, Cụm phó.", "notice")
    return redirect(url_for("year.clusters", nam=into))

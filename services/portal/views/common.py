"""What every page of the portal shares: the signed-in person, calls as them, the year, errors, layout."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.wrappers import Response

from services.forms import FORMS, YEAR_END_REPORT_FORM, form_title, label_of
from services.portal import accounts
from services.portal.accounts import Account
from services.portal.messages import ERRORS
from services.portal.service import Portal
from services.portal.statistics import short_name
from services.vocabulary import AWARD_NAMES, FILING_STATES, REVIEW_NAMES
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.text import number
from shared.time import day_text, local_date, local_text
from shared.web.gateway import Caller, Gateway, SuiteError

F = TypeVar("F", bound=Callable[..., Any])
HOME = {
    SCHOOL_OFFICER: "school.todo",
    CLUSTER_HEAD: "cluster.board",
    ACADEMY_ADMIN: "academy.overview",
    PROVINCIAL_VIEWER: "province.schools",
}


class Person(UserMixin):
    """The signed-in account as Flask-Login keeps it."""

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        """Return what the session keeps: the account and its session generation."""
        return f"{self.account.account_id}:{self.account.generation}"


login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Hãy đăng nhập để tiếp tục."
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load(kept: str) -> Person | None:
    """Return the person a session names, unless the account's sessions were ended since."""
    account_id, _, generation = kept.partition(":")
    if not account_id.isdigit() or not generation.isdigit():
        return None
    with portal().reader.connect() as conn:
        account = accounts.account_by_id(conn, int(account_id))
    if account is None or account.generation != int(generation):
        return None
    return Person(account)


def portal() -> Portal:
    """Return the portal service of this app."""
    service: Portal = current_app.extensions["portal"]
    return service


def person() -> Account:
    """Return the signed-in person's account."""
    return cast(Person, current_user).account


def suite() -> Caller:
    """Return calls to the services as the signed-in person."""
    gateway: Gateway = current_app.extensions["portal_gateway"]
    account = person()
    return gateway.as_person(account.subject, account.role, account.tenant, g.get("correlation_id"))


def for_roles(*roles: str) -> Callable[[F], F]:
    """Let a page be seen only by signed-in people of the given roles (others go to their own home)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if person().role not in roles:
                return page("message.html", 403, title="Không có quyền", text=ERRORS["forbidden"])
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def page(template: str, status: int = 200, **values: Any) -> Any:
    """Render a portal page (with the navigation of the signed-in person's role, and today's date in
    Vietnam by the portal's clock, which says whether a deadline has passed)."""
    who = person() if current_user.is_authenticated else None
    shown = {
        "who": who,
        "states": FILING_STATES,
        "review_names": REVIEW_NAMES,
        "today": today_text(),
        **values,
    }
    if "year" in values and "years" not in values and who is not None:
        shown["years"] = years()  # the year picker every page about a year shows
    if who is not None and who.role in (ACADEMY_ADMIN, CLUSTER_HEAD) and not who.must_change_password:
        shown["waiting_count"] = waiting_count(who.role)
    return render_template(f"portal/{template}", **shown), status


def bare_page(template: str, status: int = 200, **values: Any) -> Any:
    """Render a page without looking up who is signed in (while the accounts database is down)."""
    g._login_user = login_manager.anonymous_user()  # Flask-Login's templates would load the person
    return page(template, status, **values)


def say(error: SuiteError) -> str:
    """Return what a service's refusal means for the person, in Vietnamese."""
    message = ERRORS.get(error.code) or "Yêu cầu không được chấp nhận. Hãy kiểm tra lại rồi thử lại."
    details = dict(error.details) if isinstance(error.details, dict) else {}
    if isinstance(details.get("award"), str):
        details["award_name"] = AWARD_NAMES.get(details["award"], details["award"])
    if isinstance(details.get("over"), list):
        details["over_text"] = "; ".join(
            f"{AWARD_NAMES.get(o['award'], o['award'])} chọn {o['awarded']} trường, chỉ tiêu {o['quota']}"
            for o in details["over"]
            if isinstance(o, dict) and {"award", "awarded", "quota"} <= set(o)
        )
    try:
        said = message.format_map(details)
    except (KeyError, ValueError, IndexError):
        said = message.split("{", 1)[0].rstrip(" :") + "."
    return said + grounds_of(details.get("source"))


def grounds_of(source: Any) -> str:
    """Say where the rule a refusal applies comes from (" Căn cứ: document, article."), if it is known."""
    if not isinstance(source, dict) or not isinstance(source.get("document"), str):
        return ""
    article = source.get("article") or ""
    since = f", áp dụng từ ngày {day_text(source['applies_from'])}" if source.get("applies_from") else ""
    return f" Căn cứ: {source['document']}{', ' + article if article else ''}{since}."


def refused(error: SuiteError, to: str, **route: Any) -> Response:
    """Tell the person why the service refused and go back to a page."""
    flash(say(error), "error")
    return redirect(url_for(to, **route))


def inbox_page() -> Any:
    """Show the notices sent to the signed-in person's school or cluster (the notifications inbox)."""
    return page("inbox.html", notices=suite().get("notifications", "/inbox", per_page=100))


def today_text() -> str:
    """Return today's date in Vietnam by the portal's clock (yyyy-mm-dd), which says what is overdue."""
    return local_date(portal().clock()).isoformat()


def waiting_count(role: str) -> int | None:
    """Return how many filings wait for the signed-in reviewer (the Academy's in the year in progress);
    None when submissions does not answer (the menu then shows no count rather than no page)."""
    try:
        where = {"year": year()} if role == ACADEMY_ADMIN else {}
        return int(suite().get("submissions", "/filings/waiting", **where)["waiting"])
    except SuiteError:
        return None


def year() -> int:
    """Return the year the page is about: ``?nam=``, else the year in progress (``working_year``)."""
    asked = request.args.get("nam", "")
    if asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    if "portal_year" not in g:
        g.portal_year = working_year()
    return int(g.portal_year)


def years() -> list[int]:
    """Return every campaign's year, newest first (once per request)."""
    if "portal_years" not in g:
        g.portal_years = sorted((c["year"] for c in suite().get("registry", "/campaigns")), reverse=True)
    return list(g.portal_years)


def working_year() -> int:
    """Return the year with work in progress: the newest campaign anyone has filed in yet, so that a year
    just opened (nothing due, nothing filed) does not hide the one still being reviewed and awarded."""
    opened = years()
    for candidate in opened:
        if suite().get("submissions", "/filings", year=candidate, per_page=1):
            return candidate
    return opened[0] if opened else 2023


def all_schools() -> list[dict[str, Any]]:
    """Return every school of the registry, page after page (the directory every role reads)."""
    found: list[dict[str, Any]] = []
    page_no = 1
    while True:
        batch = suite().get("registry", "/schools", page=page_no, per_page=500)
        found += batch
        if len(batch) < 500:
            return found
        page_no += 1


def school_names() -> dict[str, str]:
    """Return every school's name by id."""
    return {school["school_id"]: school["name"] for school in all_schools()}


def vn_date(day: Any) -> str:
    """Show an ISO date as dd/mm/yyyy."""
    return day_text(day)


def vn_time(moment: Any) -> str:
    """Show an ISO 8601 moment in Vietnam time (dd/mm/yyyy HH:MM)."""
    if not moment:
        return ""
    try:
        return local_text(moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment)))
    except ValueError:
        return str(moment)


FIGURE_NAMES = {f.path[-1]: f.label for f in FORMS[YEAR_END_REPORT_FORM].asked if f.path[0] == "figures"}
"""The Form 04 figures by name, as the form labels them (what targets are computed from)."""
FIELD_NAMES = {
    **FIGURE_NAMES,
    "school_id": "Trường",
    "name": "Họ và tên",
    "position": "Chức vụ",
    "email": "Thư điện tử",
    "phone": "Điện thoại",
    "criterion": "Tiêu chí",
    "points": "Điểm",
    "award": "Hình thức",
    "voters": "Số phiếu phát ra",
    "in_favour": "Số phiếu đồng ý",
    "head_school_id": "Cụm trưởng",
    "deputy_school_ids": "Cụm phó",
}
"""How the fields inside a filed payload's records are named on a page."""


def show(value: Any, names: dict[str, str] | None = None) -> str:
    """Show a payload value to people: lists one item a line, records as 'name: value', schools by name."""
    if isinstance(value, list):
        return "; ".join(show(item, names) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{FIELD_NAMES.get(k, k)}: {show(v, names)}" for k, v in value.items())
    if isinstance(value, bool):
        return "có" if value else "không"
    if value is None:
        return "—"
    if isinstance(value, str) and names and value in names:
        return names[value]
    if isinstance(value, str) and value in AWARD_NAMES:
        return AWARD_NAMES[value]
    return number(value) if isinstance(value, float) else str(value)


def record_columns(value: Any) -> list[str]:
    """Return the fields of a list of records, in order, to show it as a table ([] when it is not one)."""
    if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
        return []
    columns: dict[str, None] = {}
    for item in value:
        columns.update(dict.fromkeys(item))
    return list(columns)


def field_name(key: str) -> str:
    """Return how a field of a filed record is named on a page."""
    return FIELD_NAMES.get(key, key)


def target_rule(target: dict[str, Any]) -> str:
    """Say how a target is met, as the letter words it: "từ 80% trở lên", "trên 90%", "từ 10% đến 15%"."""
    measure = target.get("measure")
    if measure == "flag":
        return "Phải đạt"
    if measure == "zero":
        return "Không có trường hợp nào"
    percent = measure == "ratio"

    def shown(value: float) -> str:
        return f"{number(value * 100)}%" if percent else number(value)

    low, high = target.get("minimum"), target.get("maximum")
    if percent and low == 1 and high is None and not target.get("minimum_exclusive"):
        return "đạt 100%"
    if not percent and low is not None and high is None and not target.get("minimum_exclusive"):
        return f"ít nhất {shown(low)}"
    if low is not None and high is not None:
        return f"từ {shown(low)} đến {shown(high)}"
    if low is not None:
        return f"trên {shown(low)}" if target.get("minimum_exclusive") else f"từ {shown(low)} trở lên"
    if high is not None:
        return f"dưới {shown(high)}" if target.get("maximum_exclusive") else f"không quá {shown(high)}"
    return ""


def target_measure(target: dict[str, Any]) -> str:
    """Name what a target measures from the Form 04 figures: one figure, or one over another."""

    def named(key: str | None) -> str:
        return " + ".join(FIGURE_NAMES.get(part, part) for part in (key or "").split("+"))

    if target.get("measure") == "ratio":
        return f"{named(target.get('numerator'))} / {named(target.get('denominator'))}"
    return named(target.get("numerator"))


def running_total(values: dict[str, str], sheet: dict[str, Any]) -> float:
    """Return the sum of the points typed into a score sheet (what the page's script keeps up to date)."""
    total = 0.0
    for key, raw in values.items():
        if key.startswith("score."):
            try:
                total += float(str(raw).replace(",", "."))
            except ValueError:
                continue
    return total


def officer_value(existing: dict[str, Any] | None, school_id: str, key: str) -> str:
    """Return a Form 03 officer's field as filed (to amend the list)."""
    for officer in (existing or {}).get("payload", {}).get("officers", []):
        if officer.get("school_id") == school_id:
            return str(officer.get(key, ""))
    return ""


EVENT_NAMES = {
    "SubmissionAmended": "Sửa hồ sơ",
    "SubmissionReopened": "Mở lại hồ sơ",
    "FilingAccepted": "Tiếp nhận",
    "FilingReturned": "Trả lại để bổ sung",
}


def event_name(event_type: str) -> str:
    """Name an event of a filing's history in Vietnamese (its filing event is 'Nộp hồ sơ')."""
    return EVENT_NAMES.get(event_type, "Nộp hồ sơ")


ROLE_NAMES = {
    "academy_admin": "Học viện",
    "cluster_head": "Cụm trưởng",
    "school_officer": "Cán bộ thi đua của trường",
    "provincial_viewer": "Tỉnh ủy, thành ủy",
    "integration": "Hệ thống của tỉnh, bộ",
    "operator": "Cán bộ vận hành",
}


def actor_name(actor: str | None) -> str:
    """Name who did something in a history: the person's name and role, never an internal id."""
    if not actor:
        return ""
    role, _, subject = actor.partition(":")
    if role == "integration":
        return f"Hệ thống của {subject}" if subject else ROLE_NAMES[role]
    if role == "system" or not subject:
        return "Hệ thống" if role in ("system", "") else ROLE_NAMES.get(role, "Hệ thống")
    found = _account_of(subject)
    label = ROLE_NAMES.get(role, "")
    if found is not None:
        return f"{found.full_name} ({label})" if label else found.full_name
    return label or "Hệ thống"


def _account_of(subject: str) -> Account | None:
    """Return the portal account a subject names, looked up once per request (a history names few)."""
    known: dict[str, Account | None] = g.setdefault("accounts_by_subject", {})
    if subject not in known:
        number = subject.removeprefix("portal-")
        known[subject] = None
        if subject.startswith("portal-") and number.isdigit():
            with portal().reader.connect() as conn:
                known[subject] = accounts.account_by_id(conn, int(number))
    return known[subject]


def register_template_helpers(app: Flask) -> None:
    """Give the templates the portal's ways of writing dates, times, numbers and payloads."""
    app.add_template_filter(vn_date, "vn_date")
    app.add_template_filter(vn_time, "vn_time")
    app.add_template_filter(number, "num")
    app.add_template_filter(show, "show")
    app.add_template_filter(event_name, "event_name")
    app.add_template_global(running_total, "running_total")
    app.add_template_global(officer_value, "officer_value")
    app.add_template_global(label_of, "label_of")
    app.add_template_global(record_columns, "record_columns")
    app.add_template_global(field_name, "field_name")
    app.add_template_global(form_title, "form_title")
    app.add_template_filter(target_rule, "target_rule")
    app.add_template_filter(actor_name, "actor_name")
    app.add_template_filter(target_measure, "target_measure")
    app.add_template_filter(short_name, "cluster_short")
    app.add_template_filter(lambda source: grounds_of(source).strip(), "can_cu")

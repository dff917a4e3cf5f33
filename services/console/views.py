"""The operators' console pages (Vietnamese): events, topics, lag, dead letters, boards, the audit trail.

Login by token: operators read, admins act. Every service is read through its API with the signed-in
person's own token (shared.web.gateway), so each service decides what that person may read; the bus is
read as the operator's principal.
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from services.console.chart import chart
from services.console.service import Console
from services.vocabulary import AWARD_NAMES, FILING_STATES, INBOUND_PREFIX, PROPOSAL_STATES, SUITE_TOPICS
from shared import operator
from shared.auth import ACADEMY_ADMIN, OPERATOR, Principal, decode_token
from shared.bus import BusUnavailable
from shared.documents import attachment
from shared.time import LOCAL_TIME, day_text, local_text
from shared.web import ApiError
from shared.web.gateway import Gateway, SuiteError

console = Blueprint("console", __name__, url_prefix="/console")
COOKIE = "thidua_token"
CSRF_COOKIE = "thidua_console_csrf"
"""A random value the console's forms carry back (double submit): a POST from elsewhere cannot read it."""
CONSOLE_ROLES = (ACADEMY_ADMIN, OPERATOR)
TOPICS = SUITE_TOPICS


def _console() -> Console:
    found: Console = current_app.extensions["console"]
    return found


@console.before_request
def _check_csrf() -> Any:
    """Refuse a POST whose form does not carry the console's CSRF value back (403)."""
    if request.method != "POST":
        return None
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected, given):
        return make_response(_page("login.html", error="Phiên làm việc đã hết hạn; hãy tải lại trang."), 403)
    return None


@console.after_request
def _issue_csrf(response: Response) -> Response:
    """Give the browser its CSRF value once (HttpOnly: only the console's own pages write it in forms)."""
    if not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE, g.csrf_token, httponly=True, samesite="Strict", secure=request.is_secure
        )
    return response


def _csrf_token() -> str:
    """Return this browser's CSRF value (a new one if it has none yet)."""
    if "csrf_token" not in g:
        g.csrf_token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return str(g.csrf_token)


@console.before_request
def _authenticate() -> Any:
    _csrf_token()
    if request.endpoint in ("console.login", "console.logout"):
        return None
    token = request.cookies.get(COOKIE)
    if not token:
        return redirect(url_for("console.login"))
    try:
        principal = decode_token(current_app.config["JWT_SECRET"], token)
    except ApiError:
        return redirect(url_for("console.login"))
    if principal.role not in CONSOLE_ROLES:
        return make_response(
            _page("login.html", error="Chỉ cán bộ vận hành và quản trị viên được dùng bảng điều khiển."), 403
        )
    g.console_principal = principal
    return None


def _page(template: str, **values: Any) -> str:
    principal = g.get("console_principal")
    return render_template(
        f"console/{template}", principal=principal, demo=_demo_present(), csrf_token=_csrf_token(), **values
    )


def _demo_present() -> bool:
    """Return whether the audit trail holds the demonstration year's events (remembered once seen)."""
    if current_app.extensions.get("thidua_demo_seen"):
        return True
    if g.get("console_principal") is None:
        return False
    found, _error = _fetch(_console().config.notifications_url, "/audit/demonstration", {})
    seen = isinstance(found, dict) and bool(found.get("present"))
    current_app.extensions["thidua_demo_seen"] = seen
    return seen


@console.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the login form, or take a token and keep it in an HttpOnly cookie."""
    if request.method == "GET":
        return _page("login.html")
    token = request.form.get("token", "").strip()
    try:
        principal = decode_token(current_app.config["JWT_SECRET"], token)
    except ApiError:
        return make_response(_page("login.html", error="Mã truy cập không hợp lệ hoặc đã hết hạn."), 401)
    if principal.role not in CONSOLE_ROLES:
        refusal = "Chỉ cán bộ vận hành và quản trị viên được dùng bảng điều khiển."
        return make_response(_page("login.html", error=refusal), 403)
    response = redirect(url_for("console.events"))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@console.route("/logout", methods=["POST"])
def logout() -> Any:
    """Forget the token (a POST with the CSRF value: a link elsewhere cannot sign anyone out)."""
    response = redirect(url_for("console.login"))
    response.delete_cookie(COOKIE)
    return response


@console.route("/")
@console.route("/events")
def events() -> str:
    """Show the latest events of every topic (the page refreshes itself unless searching), with filters:
    topic, type, key (the stream), school, event id, partition and offset, and a time range."""
    filters = _search_filters(("topic", "type", "stream_id", "school_id", "event_id", "partition", "offset"))
    entries, error = _audit({**_query(filters), "newest_first": "true", "per_page": 200})
    searching = any(filters.values())
    return _page(
        "events.html",
        entries=entries,
        filters=filters,
        topics=_topics(),
        schools=_school_names(),
        error=error,
        refresh=None if searching else 5,
    )


def _search_filters(names: tuple[str, ...]) -> dict[str, str | None]:
    """Return the search's filters as typed (the time range too), empty ones as None."""
    return {k: request.args.get(k, "").strip() or None for k in (*names, "since", "until")}


def _query(filters: dict[str, str | None]) -> dict[str, Any]:
    """Return the audit API's parameters for filters: the time range typed in Vietnam time made aware."""
    query: dict[str, Any] = {
        k: v for k, v in filters.items() if v is not None and k not in ("since", "until")
    }
    for bound in ("since", "until"):
        typed = filters.get(bound)
        if typed:
            try:
                moment = datetime.fromisoformat(typed)
            except ValueError:
                continue  # a half-typed time filters nothing rather than failing the page
            query[bound] = (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME)).isoformat()
    return query


@console.app_template_filter("vn")
def vietnam_time(moment: datetime | str | None) -> str:
    """Show a moment (or its ISO 8601 text, as the APIs send it) in Vietnam time, to the minute."""
    if not isinstance(moment, str):
        return local_text(moment)
    try:
        return local_text(datetime.fromisoformat(moment))
    except ValueError:
        return moment


@console.app_template_filter("vn_date")
def vietnam_date(day: str | None) -> str:
    """Show an ISO date as dd/mm/yyyy."""
    return day_text(day)


MAIL_STATES = {"pending": "Chờ gửi", "sent": "Đã gửi", "failed": "Gửi lỗi", "erased": "Đã xóa theo yêu cầu"}
NOTICE_KINDS = {
    "receipt": "Báo nhận",
    "reminder": "Nhắc hạn",
    "extended": "Gia hạn",
    "overdue": "Quá hạn",
    "ineligible": "Không đủ điều kiện",
    "results": "Kết quả",
    "returned": "Trả lại",
    "accepted": "Đã duyệt",
    "award": "Khen thưởng",
    "awards": "Khen thưởng của cụm",
    "revoked": "Thu hồi khen thưởng",
    "corrected": "Đính chính quyết định",
}


@console.route("/mail")
def mail() -> str:
    """Show the e-mails the suite sent or is sending (newest first), with their state."""
    status = request.args.get("status") or None
    params = {"status": status} if status in MAIL_STATES else {}
    rows, error = _fetch(_console().config.notifications_url, "/mail", params)
    return _page(
        "mail.html",
        mails=rows or [],
        status=status,
        states=MAIL_STATES,
        kinds=NOTICE_KINDS,
        error=error,
        refresh=15,
    )


@console.route("/events/<event_id>")
def event(event_id: str) -> Any:
    """Show one event: its headers and data, its stream's history, and what it correlates with or caused."""
    entry, error = _fetch(_console().config.notifications_url, f"/audit/events/{event_id}", {})
    if not isinstance(entry, dict):
        missing = error is None or "404" in error
        text = "Không có sự kiện này." if missing else error
        return make_response(_page("event.html", entry=None, error=text), 404 if missing else 503)
    history, _ = _audit({"stream_id": entry["stream_id"]})
    correlated = _audit({"correlation_id": entry["correlation_id"]})[0] if entry["correlation_id"] else []
    caused, _ = _audit({"causation_id": event_id})
    cause = None
    if entry.get("causation_id"):
        found, _ = _fetch(_console().config.notifications_url, f"/audit/events/{entry['causation_id']}", {})
        cause = found if isinstance(found, dict) else None
    data = json.dumps(entry["data"], ensure_ascii=False, indent=2, default=str)
    return _page(
        "event.html",
        entry=entry,
        trace_url=_trace_url(entry.get("traceparent")),
        data=data,
        history=history,
        correlated=correlated,
        caused=caused,
        cause=cause,
    )


def _trace_url(traceparent: str | None) -> str | None:
    """Return where the event's trace opens in the trace backend (TRACE_UI_URL), if both are known."""
    base = _console().config.trace_ui_url
    parts = (traceparent or "").split("-")
    if not base or len(parts) != 4:
        return None
    return base.replace("{trace_id}", parts[1]) if "{trace_id}" in base else f"{base}/trace/{parts[1]}"


def _audit(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """Return audited events matching the filters (oldest first unless told), or none and why."""
    found, error = _fetch(_console().config.notifications_url, "/audit/events", {"per_page": 200, **params})
    return (found if isinstance(found, list) else []), error


def _activity() -> tuple[dict[str, list[int]], str | None]:
    """Return each topic's events per minute over the last hour of the audit trail, or none and why."""
    found, error = _fetch(_console().config.notifications_url, "/audit/activity", {})
    return (found.get("series", {}) if isinstance(found, dict) else {}), error


@console.route("/activity")
def activity_page() -> str:
    """Show how many events each topic carried per minute over the last hour (an SVG chart)."""
    series, error = _activity()
    svg = chart(series, "Số sự kiện mỗi phút theo chủ đề, trong 60 phút tới sự kiện mới nhất")
    return _page("activity.html", svg=Markup(svg), series=series, error=error, refresh=30)


@console.route("/lag")
def lag() -> str:
    """Show each consumer group's lag per partition and its live members, for one group or all."""
    bus = _console().bus
    lags = bus.group_lag()
    groups = sorted({row.group for row in lags})
    group = request.args.get("group") or None
    try:
        members = bus.group_members()
    except BusUnavailable:
        members = []
    if group:
        lags = [row for row in lags if row.group == group]
        members = [m for m in members if m.group == group]
    return _page("lag.html", lags=lags, groups=groups, group=group, members=members, refresh=10)


@console.route("/rebuilds")
def rebuilds() -> str:
    """Show scoring's rebuilds beside the live read model, with their progress (refreshing itself)."""
    found, error = _fetch(_console().config.scoring_url, "/rebuilds", {})
    return _page("rebuilds.html", rebuilds=found or [], error=error, states=REBUILD_STATES, refresh=2)


REBUILD_STATES = {
    "replaying": "Đang đọc lại sự kiện",
    "swapping": "Đang hoán đổi",
    "done": "Xong",
    "failed": "Thất bại",
}


@console.route("/topics")
def topics() -> str:
    """Show every topic in one table (records, dead letters waiting, each group's lag), or one topic's
    partitions: their end offsets, each group's position on them, and its activity."""
    names = _topics()
    topic = request.args.get("topic")
    if not topic:
        return _page("topics_all.html", rows=_topic_rows(names), refresh=15)
    bus = _console().bus
    ends = {partition: end for (name, partition), end in bus.topic_ends([topic]).items() if name == topic}
    positions: dict[str, dict[int, int]] = {}
    for position in bus.group_lag():
        if position.topic == topic:
            positions.setdefault(position.group, {})[position.partition] = position.committed
    per_minute = _activity()[0].get(topic, [])
    return _page(
        "topics.html",
        topic=topic,
        topics=names,
        ends=dict(sorted(ends.items())),
        positions=positions,
        last_hour=sum(per_minute),
        busiest=max(per_minute, default=0),
        refresh=10,
    )


def _topic_rows(names: list[str]) -> list[dict[str, Any]]:
    """Return each topic's partitions, records, dead letters waiting for a decision, and groups' lag."""
    bus = _console().bus
    dlqs = [operator.dlq_topic_of(t) for t in names]
    try:
        existing = set(bus.topics(""))
        ends = bus.topic_ends([*names, *[d for d in dlqs if d in existing]])
        lag = bus.group_lag()
    except BusUnavailable:
        return []
    rows = []
    for name, dlq in zip(names, dlqs, strict=True):
        letters = sum(end for (t, _p), end in ends.items() if t == dlq)
        groups: dict[str, int] = {}
        for position in lag:
            if position.topic == name:
                groups[position.group] = groups.get(position.group, 0) + position.lag
        rows.append(
            {
                "topic": name,
                "partitions": sum(1 for (t, _p) in ends if t == name),
                "records": sum(end for (t, _p), end in ends.items() if t == name),
                "dead_letters": len(operator.dead_letters(bus, name)) if letters else 0,
                "groups": dict(sorted(groups.items())),
            }
        )
    return rows


@console.route("/dlq")
def dlq() -> str:
    """Show a topic's dead letters, with re-drive and discard for admins."""
    topic = request.args.get("topic") or TOPICS[1]
    letters = operator.dead_letters(_console().bus, topic)
    return _page(
        "dlq.html",
        topic=topic,
        topics=_topics(),
        letters=letters,
        history=operator.decisions(_console().bus, topic),
        can_act=_principal().role == ACADEMY_ADMIN,
        message=request.args.get("message"),
    )


@console.route("/dlq/redrive", methods=["POST"])
def redrive() -> Any:
    """Send a dead letter back to its topic (admins)."""
    return _act(
        lambda topic, p, o, actor: f"Đã gửi lại về {operator.redrive(_console().bus, topic, p, o, actor)}."
    )


@console.route("/dlq/discard", methods=["POST"])
def discard() -> Any:
    """Mark a dead letter as dealt with (admins)."""

    def act(topic: str, p: int, o: int, actor: str) -> str:
        operator.discard(_console().bus, topic, p, o, actor)
        return "Đã bỏ qua bản ghi."

    return _act(act)


@console.route("/board")
def board() -> Any:
    """Show a year's status board (optionally one cluster), coloured by state, headed by deadline titles."""
    year, cluster_id = _year(), request.args.get("cluster_id") or None
    params = {"year": year, **({"cluster_id": cluster_id} if cluster_id else {})}
    data, error = _fetch(_console().config.submissions_url, "/status-board", params)
    deadlines = [d for d in (data or {}).get("deadlines", []) if d["filer"] == "school"]
    return _page(
        "board.html",
        year=year,
        years=YEARS,
        cluster_id=cluster_id,
        clusters=_clusters(year),
        board=data,
        school_deadlines=deadlines,
        labels=FILING_STATES,
        error=error,
    )


@console.route("/scores")
def scores() -> Any:
    """Show a cluster's score table, the cluster picked from the year's clusters."""
    year, clusters, cluster_id, data, error = _cluster_scoring("score-tables")
    return _page(
        "scores.html",
        year=year,
        years=YEARS,
        cluster_id=cluster_id,
        clusters=clusters,
        bands=_band_names(year),
        table=data,
        error=error,
    )


@console.route("/proposals")
def proposals() -> Any:
    """Show a cluster's award proposals: the flag and certificates of merit, with the vote of Mẫu số 07."""
    year, clusters, cluster_id, data, error = _cluster_scoring("proposals")
    return _page(
        "proposals.html",
        year=year,
        years=YEARS,
        cluster_id=cluster_id,
        clusters=clusters,
        proposals=data,
        names=_school_names(),
        awards=AWARD_NAMES,
        statuses=PROPOSAL_STATES,
        error=error,
    )


def _cluster_scoring(resource: str) -> tuple[int, Any, str | None, Any, str | None]:
    """Return the year, its clusters, the cluster picked (the first by default) and scoring's answer."""
    year, cluster_id = _year(), request.args.get("cluster_id") or None
    clusters = _clusters(year)
    cluster_id = cluster_id or next(iter(clusters), None)
    if not cluster_id:
        return year, clusters, None, None, None
    data, error = _fetch(_console().config.scoring_url, f"/{resource}/{year}/{cluster_id}", {})
    return year, clusters, cluster_id, data, error


def _school_names() -> dict[str, str]:
    """Return every school's name by id, from the registry (empty when it does not answer)."""
    found, _error = _fetch(_console().config.registry_url, "/schools", {"per_page": 500})
    rows = found if isinstance(found, list) else []
    return {s["school_id"]: s["name"] for s in sorted(rows, key=lambda s: s["name"])}


YEARS = tuple(range(2023, 2031))


def _year() -> int:
    """Return the year asked for (the first campaign year when none or a bad one is given)."""
    asked = request.args.get("year", "")
    return int(asked) if asked.isdigit() and int(asked) in YEARS else YEARS[0]


def _clusters(year: int) -> dict[str, str]:
    """Return the year's clusters, id to name, from the registry (empty when it does not answer)."""
    found, _error = _fetch(_console().config.registry_url, "/clusters", {"year": year, "per_page": 500})
    return {c["cluster_id"]: c["name"] for c in found or []} if isinstance(found, list) else {}


def _band_names(year: int) -> dict[str, str]:
    """Return the year's bands, code to name, from the registry's campaign."""
    found, _error = _fetch(_console().config.registry_url, f"/campaigns/{year}", {})
    bands = (found or {}).get("content", {}).get("bands", []) if isinstance(found, dict) else []
    return {b["code"]: b.get("name", b["code"]) for b in bands}


AUDIT_FILTERS = ("stream_id", "school_id", "cluster_id", "actor", "type", "topic", "event_id")
AUDIT_PAGE = 100


@console.route("/audit")
def audit() -> str:
    """Search the audit trail (filters, a time range, pages of 100, newest first if asked) and show
    whether its hash chain holds."""
    filters = _search_filters(AUDIT_FILTERS)
    page_no = int(request.args.get("trang", "1")) if request.args.get("trang", "").isdigit() else 1
    newest = request.args.get("moi-nhat") == "1"
    query = {**_query(filters), "newest_first": "true" if newest else "false"}
    entries, error = _audit({**query, "per_page": AUDIT_PAGE + 1, "page": max(page_no, 1)})
    chain, chain_error = _fetch(_console().config.notifications_url, "/audit/verify", {})
    shown = {k: v for k, v in request.args.items() if k != "trang"}
    return _page(
        "audit.html",
        entries=entries[:AUDIT_PAGE],
        filters=filters,
        newest=newest,
        page_no=max(page_no, 1),
        more=len(entries) > AUDIT_PAGE,
        shown=shown,
        chain=chain if isinstance(chain, dict) else None,
        schools=_school_names(),
        error=error or chain_error,
    )


@console.route("/audit.csv")
def audit_csv() -> Any:
    """Download the audit search as CSV (up to 1,000 entries from the first shown), as the API exports it."""
    filters = _search_filters(AUDIT_FILTERS)
    query = {**_query(filters), "per_page": 1000, "newest_first": str(request.args.get("moi-nhat") == "1")}
    caller = Gateway({"service": _console().config.notifications_url}, timeout=10.0)
    try:
        content, kind = caller.with_token(request.cookies.get(COOKIE, "")).get_bytes(
            "service", "/audit/events.csv", **query
        )
    except SuiteError as error:
        return make_response(f"Không tải được nhật ký: {error.message}", 503)
    return Response(
        content, mimetype=kind, headers={"Content-Disposition": attachment("nhat-ky-su-kien.csv")}
    )


def _principal() -> Principal:
    principal: Principal = g.console_principal
    return principal


def _act(action: Any) -> Any:
    topic = request.form.get("topic", "")
    if _principal().role != ACADEMY_ADMIN:
        return make_response(
            _page(
                "dlq.html",
                topic=topic,
                topics=_topics(),
                letters=[],
                can_act=False,
                error="Chỉ quản trị viên được gửi lại hoặc bỏ qua bản ghi lỗi.",
            ),
            403,
        )
    try:
        partition, offset = int(request.form["partition"]), int(request.form["offset"])
        message = action(operator.dlq_topic_of(topic), partition, offset, _principal().actor)
    except (KeyError, ValueError, operator.NotFoundInDlq) as exc:
        return make_response(
            _page(
                "dlq.html",
                topic=topic,
                topics=_topics(),
                letters=[],
                can_act=True,
                error=f"Không thực hiện được: {exc}",
            ),
            422,
        )
    return redirect(url_for("console.dlq", topic=topic, message=message))


def _fetch(base: str, path: str, params: dict[str, Any]) -> tuple[Any, str | None]:
    """Call another service's API with the console user's token; return (data, error message)."""
    caller = Gateway({"service": base}, timeout=5.0).with_token(request.cookies.get(COOKIE, ""))
    try:
        return caller.get("service", path, **params), None
    except SuiteError as error:
        if error.code == "unavailable":
            return None, f"Không kết nối được dịch vụ: {base}"
        return None, f"Dịch vụ trả lời {error.status}: {error.message}"


def _topics() -> list[str]:
    """Return the suite's event topics, with the inbound topic of every system that has one."""
    try:
        return operator.event_topics(_console().bus, TOPICS, (INBOUND_PREFIX,))
    except BusUnavailable:
        return list(TOPICS)

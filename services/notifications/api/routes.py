"""Notifications endpoints: the audit trail, the inbox, webhook subscriptions, and the event contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app
from flask_smorest import Blueprint

from services.notifications.api.schemas import (
    ActivityOut,
    AuditEntryOut,
    AuditQuery,
    DeliveryOut,
    InboxQuery,
    MailOut,
    MailQuery,
    NewSubscriptionOut,
    NoticeOut,
    SubscriptionIn,
    SubscriptionOut,
)
from services.notifications.app import activity, operations, webhooks
from services.notifications.app.exports import audit_csv
from services.notifications.projections.audit import audit_query, verify
from services.notifications.service import Notifications
from services.notifications.tables import deliveries, notices, subscriptions
from shared.auth import (
    ACADEMY_ADMIN,
    CLUSTER_HEAD,
    OPERATOR,
    SCHOOL_OFFICER,
    current_principal,
    require,
)
from shared.documents import attachment
from shared.errors import NotFound
from shared.web import ApiError
from shared.web.docs import answers

blp = Blueprint("notifications", __name__, description="Audit trail, inbox, webhooks (nhật ký, thông báo)")
CONTRACT: dict[str, Any] = {}
CONTRACT_FILE = Path(__file__).with_name("asyncapi.json")
"""The AsyncAPI document, generated from every service's catalogue by ``python -m services.asyncapi``."""


def _service() -> Notifications:
    service: Notifications = current_app.extensions["notifications"]
    return service


@blp.route("/audit/events")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditEntryOut(many=True))
def list_audit_events(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Search the audit trail by stream, school, cluster, actor, type, topic, cause and time range."""
    page, per_page, newest_first = query.pop("page"), query.pop("per_page"), query.pop("newest_first")
    with _service().reader.connect() as conn:
        return audit_query(conn, query, page, per_page, newest_first)


@blp.route("/audit/events/<event_id>")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.response(200, AuditEntryOut)
def audited_event(event_id: str) -> dict[str, Any]:
    """Return one audited event by its id (404 when the trail has none)."""
    with _service().reader.connect() as conn:
        return operations.audited_event(conn, event_id)


@blp.route("/audit/activity")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.response(200, ActivityOut)
def topic_activity() -> dict[str, Any]:
    """Return each topic's events per minute over the hour up to the newest audited event."""
    with _service().reader.connect() as conn:
        until = activity.latest(conn)
        return {"until": until, "series": activity.per_minute(conn, until) if until else {}}


@blp.route("/audit/demonstration")
@require(ACADEMY_ADMIN, OPERATOR)
@answers(blp, "Whether the trail holds the demonstration year's events")
def demonstration() -> dict[str, bool]:
    """Say whether the audit trail holds the demonstration year's events (make run's)."""
    with _service().reader.connect() as conn:
        return {"present": operations.demonstration_present(conn)}


@blp.route("/mail")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.arguments(MailQuery, location="query")
@blp.response(200, MailOut(many=True))
def mail_log(query: dict[str, Any]) -> list[dict[str, Any]]:
    """List the e-mails the suite sent or is sending, newest first, optionally in one state."""
    with _service().reader.connect() as conn:
        return operations.mail_log(conn, query.get("status"), query["page"], query["per_page"])


@blp.route("/audit/events.csv")
@require(ACADEMY_ADMIN, OPERATOR)
@answers(blp, "The matching audit entries as CSV", {"text/csv": {"schema": {"type": "string"}}})
@blp.arguments(AuditQuery, location="query")
def export_audit_events(query: dict[str, Any]) -> Response:
    """Download an audit-trail search as CSV."""
    page, per_page, newest_first = query.pop("page"), query.pop("per_page"), query.pop("newest_first")
    with _service().reader.connect() as conn:
        rows = audit_query(conn, query, page, per_page, newest_first)
    response = Response(audit_csv(rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = attachment("nhat-ky-su-kien.csv")
    return response


@blp.route("/audit/verify")
@require(ACADEMY_ADMIN, OPERATOR)
@answers(blp, "Whether the chain holds: ok, entries checked, the first broken link")
def verify_audit_trail() -> dict[str, Any]:
    """Walk the hash chain and report the first broken link, if any."""
    with _service().reader.connect() as conn:
        return verify(conn)


@blp.route("/inbox")
@require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
@blp.arguments(InboxQuery, location="query")
@blp.response(200, NoticeOut(many=True))
def inbox(query: dict[str, Any]) -> list[dict[str, Any]]:
    """List the caller's notices, newest first."""
    select = notices.select().where(notices.c.inbox == _inbox()).order_by(notices.c.id.desc())
    if query["unread"]:
        select = select.where(notices.c.read_at.is_(None))
    select = select.offset((query["page"] - 1) * query["per_page"]).limit(query["per_page"])
    with _service().reader.connect() as conn:
        return [dict(r) for r in conn.execute(select).mappings()]


@blp.route("/inbox/unread-count")
@require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
@answers(blp, "How many notices of the caller are unread")
def unread_count() -> dict[str, int]:
    """Return how many of the caller's notices are unread."""
    with _service().reader.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(notices)
            .where((notices.c.inbox == _inbox()) & notices.c.read_at.is_(None))
        ).scalar_one()
    return {"unread": int(count)}


@blp.route("/inbox/<int:notice_id>/read", methods=["POST"])
@require(ACADEMY_ADMIN, SCHOOL_OFFICER, CLUSTER_HEAD)
@blp.response(200, NoticeOut)
def mark_read(notice_id: int) -> dict[str, Any]:
    """Mark one of the caller's notices read."""
    service = _service()
    with service.engine.begin() as conn:
        where = (notices.c.id == notice_id) & (notices.c.inbox == _inbox())
        row = conn.execute(notices.select().where(where)).mappings().first()
        if row is None:
            raise NotFound(f"no notice {notice_id} in your inbox", {"id": notice_id})
        if row["read_at"] is None:
            conn.execute(notices.update().where(where).values(read_at=service.clock()))
        return dict(conn.execute(notices.select().where(where)).mappings().one())


@blp.route("/webhooks/subscriptions", methods=["POST"])
@require(ACADEMY_ADMIN)
@blp.arguments(SubscriptionIn)
@blp.response(201, NewSubscriptionOut)
def subscribe(body: dict[str, Any]) -> dict[str, Any]:
    """Subscribe a provincial or ministry system to events about its schools; returns the signing secret."""
    service = _service()
    with service.engine.begin() as conn:
        return webhooks.create_subscription(
            conn,
            body["code"],
            body["url"],
            body["event_types"],
            service.clock(),
            service.secrets,
            service.config.webhook_allowed,
        )


@blp.route("/webhooks/subscriptions", methods=["GET"])
@require(ACADEMY_ADMIN, OPERATOR)
@blp.response(200, SubscriptionOut(many=True))
def list_subscriptions() -> list[dict[str, Any]]:
    """List the subscriptions with their status."""
    with _service().reader.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(subscriptions.select().order_by(subscriptions.c.created_at)).mappings()
        ]


@blp.route("/webhooks/subscriptions/<subscription_id>/deliveries")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.response(200, DeliveryOut(many=True))
def delivery_log(subscription_id: str) -> list[dict[str, Any]]:
    """Return a subscription's delivery log, newest first."""
    with _service().reader.connect() as conn:
        webhooks.subscription(conn, subscription_id)
        rows = conn.execute(
            deliveries.select()
            .where(deliveries.c.subscription_id == subscription_id)
            .order_by(deliveries.c.id.desc())
            .limit(500)
        )
        return [dict(r) for r in rows.mappings()]


@blp.route("/webhooks/subscriptions/<subscription_id>/resume", methods=["POST"])
@require(ACADEMY_ADMIN, OPERATOR)
@blp.response(200, SubscriptionOut)
def resume_subscription(subscription_id: str) -> dict[str, Any]:
    """Resume a paused subscription (the one write an operator may do); its deliveries are retried now."""
    service = _service()
    with service.engine.begin() as conn:
        return webhooks.resume(conn, subscription_id, service.clock())


@blp.route("/asyncapi.json")
@answers(blp, "The AsyncAPI 3 contract of every topic and event", public=True)
def asyncapi() -> dict[str, Any]:
    """Return the AsyncAPI 3 document of every topic and event (public: it is the integration contract)."""
    if not CONTRACT:
        CONTRACT.update(json.loads(CONTRACT_FILE.read_text()))
    return CONTRACT


def _inbox() -> str:
    principal = current_principal()
    if principal.role == ACADEMY_ADMIN:
        return "academy"
    if principal.role == SCHOOL_OFFICER:
        return f"school:{principal.tenant}"
    if principal.role == CLUSTER_HEAD:
        return f"cluster:{principal.tenant}"
    raise ApiError(403, "forbidden", f"role {principal.role} has no inbox")

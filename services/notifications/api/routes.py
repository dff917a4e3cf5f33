"""Notifications endpoints: the audit trail (more arrive with issue 6)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from services.notifications.api.schemas import AuditEntryOut, AuditQuery
from services.notifications.bootstrap import Notifications
from services.notifications.projections.audit import audit_query
from shared.auth import ACADEMY_ADMIN, OPERATOR, require

blp = Blueprint("audit", __name__, url_prefix="/audit", description="Audit trail (nhật ký sự kiện)")


@blp.route("/events")
@require(ACADEMY_ADMIN, OPERATOR)
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditEntryOut(many=True))
def list_audit_events(query: dict[str, Any]) -> list[dict[str, Any]]:
    """List recorded events, oldest first, filtered by stream id and event type."""
    service: Notifications = current_app.extensions["notifications"]
    with service.reader.connect() as conn:
        return audit_query(conn, query.get("stream_id"), query.get("type"), query["page"], query["per_page"])

"""The audit chain checked on a schedule, its verdict a metric that an alert watches (deploy/prometheus)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge

from services.notifications.projections.audit import verify

log = logging.getLogger(__name__)
CHAIN_OK = Gauge(
    "thidua_audit_chain_ok", "1 when the audit trail's hash chain held at its last check, else 0."
)
CHECKED = Gauge(
    "thidua_audit_chain_checked_entries", "How many entries the last check of the audit chain walked."
)


def check_chain(engine: sa.Engine) -> dict[str, Any]:
    """Walk the audit chain once, set the metrics from the verdict, and return it."""
    with engine.connect() as conn:
        verdict = verify(conn)
    CHAIN_OK.set(1 if verdict["ok"] else 0)
    CHECKED.set(verdict["checked"])
    if not verdict["ok"]:
        log.error("the audit chain is broken", extra={"first_broken": verdict["first_broken"]})
    return verdict


def watch_chain(engine: sa.Engine, stop: threading.Event, interval: float) -> None:
    """Check the audit chain every ``interval`` seconds until stopped."""
    while not stop.is_set():
        try:
            check_chain(engine)
        except sa.exc.OperationalError:
            log.warning("audit chain check: database unavailable", exc_info=True)
        stop.wait(interval)

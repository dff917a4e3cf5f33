"""Outbound webhooks: subscriptions per province or ministry code, signed deliveries with retries,
and a subscription paused after too many failures in a row (an operator resumes it).

Deliveries are rows: the consumer queues one per matching subscription in the same transaction as
the event's tracking row (so none is lost or doubled); the deliverer sends due ones concurrently, so
one slow or dead endpoint never holds up the others.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import urllib3

from services.notifications.app import targets
from services.notifications.app.targets import AllowList, TargetRefused
from services.notifications.tables import deliveries, schools, subscriptions
from shared.backoff import exponential
from shared.consumer import Consumed
from shared.errors import NotFound, RuleBroken
from shared.secretbox import SecretBox
from shared.signing import WEBHOOK_HEADER, webhook_signature

log = logging.getLogger(__name__)
ACTIVE, PAUSED = "active", "paused"
PENDING, DELIVERED = "pending", "delivered"
SCHOOL_FIELDS = ("school_id", "filer_id", "inspected_school_id", "successor_id", "head_school_id")
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int, base: float = 2.0) -> timedelta:
    """Return the wait before the next attempt: exponential, capped at an hour."""
    return timedelta(seconds=exponential(attempts, base, MAX_BACKOFF.total_seconds()))


def create_subscription(
    conn: sa.Connection,
    code: str,
    url: str,
    event_types: Sequence[str],
    now: datetime,
    box: SecretBox,
    allow: AllowList,
) -> dict[str, Any]:
    """Subscribe a provincial or ministry system (by its code) to events; return its signing secret.

    The URL must reach a public address (or one the operator allow-listed); the secret is stored
    sealed, and this answer is the only place it is shown.
    """
    try:
        targets.checked(url, allow)
    except TargetRefused as refused:
        raise RuleBroken(
            f"the webhook URL may not be used: {refused.reason}",
            {"url": [refused.reason]},
            "webhook_target_refused",
        ) from refused
    known = conn.execute(sa.select(schools.c.school_id).where(schools.c.code == code)).first()
    if known is None:
        raise RuleBroken(f"no school has code {code}", {"code": code}, "unknown_code")
    secret = secrets.token_hex(32)
    row = {
        "id": f"wh_{uuid.uuid4().hex[:16]}",
        "code": code,
        "url": url,
        "secret": box.seal(secret),
        "event_types": sorted(set(event_types)),
        "status": ACTIVE,
        "consecutive_failures": 0,
        "created_at": now,
    }
    conn.execute(subscriptions.insert().values(**row))
    return {**row, "secret": secret}


def resume(conn: sa.Connection, subscription_id: str, now: datetime) -> dict[str, Any]:
    """Resume a paused subscription: its waiting deliveries are due again at once."""
    row = subscription(conn, subscription_id)
    conn.execute(
        subscriptions.update()
        .where(subscriptions.c.id == subscription_id)
        .values(status=ACTIVE, consecutive_failures=0)
    )
    conn.execute(
        deliveries.update()
        .where((deliveries.c.subscription_id == subscription_id) & (deliveries.c.status == PENDING))
        .values(next_attempt_at=now)
    )
    return {**row, "status": ACTIVE, "consecutive_failures": 0}


def subscription(conn: sa.Connection, subscription_id: str) -> dict[str, Any]:
    """Return one subscription; unknown is not found."""
    row = conn.execute(subscriptions.select().where(subscriptions.c.id == subscription_id)).mappings().first()
    if row is None:
        raise NotFound(f"no subscription {subscription_id}", {"id": subscription_id})
    return dict(row)


def queue_deliveries(conn: sa.Connection, consumed: Consumed, now: datetime) -> int:
    """Queue one delivery of an event per subscription whose code concerns it and whose types include it."""
    school_ids = {str(v) for k, v in consumed.data.items() if k in SCHOOL_FIELDS and v}
    school_ids |= {str(s) for s in consumed.data.get("predecessor_ids", []) or []}
    if not school_ids:
        return 0
    codes = set(conn.execute(sa.select(schools.c.code).where(schools.c.school_id.in_(school_ids))).scalars())
    if not codes:
        return 0
    matching = [
        s
        for s in conn.execute(subscriptions.select().where(subscriptions.c.code.in_(codes))).mappings()
        if not s["event_types"] or consumed.event.type in s["event_types"]
    ]
    existing = set(
        conn.execute(
            sa.select(deliveries.c.subscription_id).where(deliveries.c.event_id == consumed.event.id)
        ).scalars()
    )
    body = json.dumps(structured(consumed), ensure_ascii=False)
    rows = [
        {
            "subscription_id": s["id"],
            "event_id": consumed.event.id,
            "event_type": consumed.event.type,
            "body": body,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for s in matching
        if s["id"] not in existing
    ]
    if rows:
        conn.execute(deliveries.insert(), rows)
    return len(rows)


def structured(consumed: Consumed) -> dict[str, Any]:
    """Return the event as a CloudEvents 1.0 JSON (structured mode) document."""
    event = consumed.event
    return {
        "specversion": "1.0",
        "id": event.id,
        "type": event.type,
        "source": event.source,
        "subject": event.stream_id,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "data": dict(event.data),
    }


class Deliverer:
    """Sends due deliveries, at most ``workers`` at a time, with a timeout each."""

    def __init__(
        self,
        engine: sa.Engine,
        clock: Callable[[], datetime],
        pause_after: int,
        timeout: float,
        box: SecretBox,
        allow: AllowList,
        workers: int = 8,
    ):
        self.engine = engine
        self.clock = clock
        self.pause_after = pause_after
        self.timeout = timeout
        self.box = box
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook")
        self.allow = allow
        self._lock = threading.Lock()

    def deliver_due(self, limit: int = 100) -> int:
        """Send every due delivery of active subscriptions (concurrently); return how many were tried."""
        now = self.clock()
        with self.engine.connect() as conn:
            due = (
                conn.execute(
                    sa.select(deliveries, subscriptions.c.url, subscriptions.c.secret)
                    .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                    .where(
                        (deliveries.c.status == PENDING)
                        & (deliveries.c.next_attempt_at <= now)
                        & (subscriptions.c.status == ACTIVE)
                    )
                    .order_by(deliveries.c.id)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        list(self.pool.map(self._send, due))
        return len(due)

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Deliver until stopped."""
        while not stop.is_set():
            try:
                tried = self.deliver_due()
            except sa.exc.OperationalError:
                log.warning("webhooks: database unavailable", exc_info=True)
                tried = 0
            if not tried:
                stop.wait(interval)

    def close(self) -> None:
        """Stop the sending threads."""
        self.pool.shutdown(wait=True)

    def _send(self, delivery: Any) -> None:
        body = delivery["body"].encode()
        headers = {
            "Content-Type": "application/cloudevents+json; charset=utf-8",
            WEBHOOK_HEADER: webhook_signature(
                self.box.open(delivery["secret"]).encode(), int(time.time()), body
            ),
            "X-Thidua-Delivery": str(delivery["id"]),
        }
        status, error = None, None
        try:  # checked again at every delivery, and sent to the very address that was checked
            status = targets.post(targets.checked(delivery["url"], self.allow), body, headers, self.timeout)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except (TargetRefused, OSError, urllib3.exceptions.HTTPError) as exc:
            error = targets.failure_reason(exc)
        self._record(delivery, status, error)

    def _record(self, delivery: Any, status: int | None, error: str | None) -> None:
        now = self.clock()
        attempts = delivery["attempts"] + 1
        with self._lock, self.engine.begin() as conn:
            where = deliveries.c.id == delivery["id"]
            sub = subscriptions.c.id == delivery["subscription_id"]
            if error is None:
                conn.execute(
                    deliveries.update()
                    .where(where)
                    .values(
                        status=DELIVERED,
                        attempts=attempts,
                        last_status=status,
                        last_error=None,
                        delivered_at=now,
                    )
                )
                conn.execute(subscriptions.update().where(sub).values(consecutive_failures=0))
                return
            conn.execute(
                deliveries.update()
                .where(where)
                .values(
                    attempts=attempts,
                    last_status=status,
                    last_error=error,
                    next_attempt_at=now + backoff(attempts),
                )
            )
            failures = (
                conn.execute(sa.select(subscriptions.c.consecutive_failures).where(sub)).scalar_one() + 1
            )
            paused = failures >= self.pause_after
            conn.execute(
                subscriptions.update()
                .where(sub)
                .values(consecutive_failures=failures, status=PAUSED if paused else ACTIVE)
            )
            log.warning(
                "webhook delivery %s failed (%s)%s",
                delivery["id"],
                error,
                "; subscription paused" if paused else "",
            )

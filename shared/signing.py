"""HMAC-SHA256 signatures of records, for events and webhooks that cross to other organisations."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "thidua_signature"


def signature(key: bytes, event_id: str, event_type: str, source: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 over an event's id, type, source and body."""
    message = b"\n".join([event_id.encode(), event_type.encode(), source.encode(), body])
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(key: bytes, event_id: str, event_type: str, source: str, body: bytes, given: str | None) -> bool:
    """Return whether a given signature is the right one (compared in constant time)."""
    if not given:
        return False
    return hmac.compare_digest(signature(key, event_id, event_type, source, body), given)


WEBHOOK_HEADER = "X-Thidua-Signature"


def webhook_signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the value of the webhook signature header: ``t=<unix time>,v1=<hex HMAC-SHA256>``."""
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_webhook(secret: bytes, header: str | None, body: bytes) -> bool:
    """Return whether a webhook signature header matches the body (what a receiver checks)."""
    if not header:
        return False
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        expected = webhook_signature(secret, int(parts["t"]), body)
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(expected, header)

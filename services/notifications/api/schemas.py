"""Request and response schemas of the notifications API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from shared.urls import credential_in, redacted

_page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))


class AuditQuery(Schema):
    """Filters and page of an audit-trail search."""

    stream_id = fields.String()
    school_id = fields.String()
    cluster_id = fields.String()
    actor = fields.String()
    type = fields.String()
    topic = fields.String()
    correlation_id = fields.String()
    causation_id = fields.String()
    event_id = fields.String()
    partition = fields.Integer(validate=validate.Range(min=0, max=100_000))
    offset = fields.Integer(validate=validate.Range(min=0))
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    newest_first = fields.Boolean(load_default=False)
    page = _page
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class AuditEntryOut(Schema):
    """One recorded event."""

    seq = fields.Integer()
    event_id = fields.String()
    topic = fields.String()
    type = fields.String()
    schema_version = fields.Integer()
    stream_id = fields.String()
    stream_version = fields.Integer()
    source = fields.String()
    actor = fields.String(allow_none=True)
    correlation_id = fields.String(allow_none=True)
    causation_id = fields.String(allow_none=True)
    traceparent = fields.String(allow_none=True)
    partition = fields.Integer(allow_none=True)
    offset = fields.Integer(allow_none=True)
    occurred_at = fields.DateTime()
    school_id = fields.String(allow_none=True)
    cluster_id = fields.String(allow_none=True)
    data = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class ActivityOut(Schema):
    """Events per minute of each topic over the hour up to the newest audited event."""

    until = fields.DateTime(allow_none=True)
    series = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))


class MailQuery(Schema):
    """Filter and page of the outgoing mail log."""

    status = fields.String(validate=validate.OneOf(("pending", "sent", "failed", "erased")))
    page = _page
    per_page = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class MailOut(Schema):
    """One e-mail the suite sent or is sending (a sealed address is not opened here)."""

    id = fields.Integer()
    kind = fields.String()
    recipient = fields.String()
    unit = fields.String()
    """Whom it went to, by the unit's name (a school, a cluster head, the Academy)."""
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    email_status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)


def _no_credential(url: str) -> None:
    """Refuse a webhook URL that carries a credential: it would be stored and shown in clear."""
    if why := credential_in(url):
        raise ValidationError(f"{why}; the receiver verifies the X-Thidua-Signature header instead")


class SubscriptionIn(Schema):
    """A webhook subscription of a provincial or ministry system (no credential in its URL)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=[validate.Length(max=2000), _no_credential],
    )
    event_types = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)


class SubscriptionOut(Schema):
    """A webhook subscription (its secret is shown only when it is created; its URL redacted)."""

    id = fields.String()
    code = fields.String()
    url = fields.Function(lambda row: redacted(row["url"]))
    event_types = fields.List(fields.String())
    status = fields.String()
    consecutive_failures = fields.Integer()
    created_at = fields.DateTime()


class NewSubscriptionOut(SubscriptionOut):
    """A new subscription with the secret its receiver verifies signatures with."""

    secret = fields.String()


class DeliveryOut(Schema):
    """One webhook delivery and its outcome so far."""

    id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)


class NoticeOut(Schema):
    """A notice in an inbox."""

    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxQuery(Schema):
    """Page of an inbox, optionally unread only."""

    unread = fields.Boolean(load_default=False)
    page = _page
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

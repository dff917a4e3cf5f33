"""Request and response schemas of the notifications API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class AuditQuery(Schema):
    """Filters and page of an audit-trail search."""

    stream_id = fields.String()
    type = fields.String()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
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
    occurred_at = fields.DateTime()
    data = fields.Dict()

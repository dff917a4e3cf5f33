"""What the registry publishes: its topic and the strict schemas of its events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.catalogue import Catalogue, EventType

TOPIC = "thidua.registry.events"
SCHOOL_KINDS = ("provincial", "ministry")


class SchoolRegisteredV1(Schema):
    """A school joined the registry (trường chính trị tỉnh or trường cán bộ bộ, ngành)."""

    school_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS))
    province = fields.String(required=True, validate=validate.Length(min=1, max=100))
    valid_from = fields.Date(required=True)
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


CATALOGUE = Catalogue(
    EventType(
        name="SchoolRegistered",
        version=1,
        schema=SchoolRegisteredV1,
        topic=TOPIC,
        description="A school was registered with a stable id, its code, name, kind and province.",
    ),
)

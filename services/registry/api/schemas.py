"""Request and response schemas of the registry API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.registry.contracts import SCHOOL_KINDS


class SchoolIn(Schema):
    """A school to register."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS))
    province = fields.String(required=True, validate=validate.Length(min=1, max=100))
    valid_from = fields.Date(required=True)
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class SchoolOut(Schema):
    """A registered school."""

    school_id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    province = fields.String()
    valid_from = fields.Date()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    version = fields.Integer()


class SchoolQuery(Schema):
    """Filters and page of a school list."""

    kind = fields.String(validate=validate.OneOf(SCHOOL_KINDS))
    province = fields.String()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

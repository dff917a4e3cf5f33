"""Request and response schemas of the submissions API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.submissions.domain.review import DECISIONS, REVIEW_STATES

_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
_hashes = fields.List(
    fields.String(validate=validate.Length(equal=64)), load_default=list, validate=validate.Length(max=20)
)


_names = fields.Dict(
    keys=fields.String(validate=validate.Length(equal=64)),
    values=fields.String(validate=validate.Length(max=300)),
    load_default=dict,
    metadata={"description": "each document's original file name, by its sha256"},
)


class FilingIn(Schema):
    """A form to file: the year, the form code, the school or cluster filing it, its payload and documents."""

    year = _year
    form = fields.String(required=True, validate=validate.Length(min=1, max=32))
    school_id = fields.String(load_default=None, allow_none=True)
    cluster_id = fields.String(load_default=None, allow_none=True)
    payload = fields.Dict(required=True)
    documents = _hashes
    document_names = _names


class AmendmentIn(Schema):
    """The new content of a filing; ``expected_version`` guards against lost updates."""

    payload = fields.Dict(required=True)
    documents = _hashes
    document_names = _names
    expected_version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=2**31 - 1)
    )


class ReasonIn(Schema):
    """Why the Academy decides so."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class VoidedConfirmationOut(Schema):
    """A Form 09 confirmation voided by the Academy."""

    year = fields.Integer(required=True)
    school_id = fields.String(required=True)
    copy = fields.Integer(required=True)
    confirmed_by = fields.String(required=True)
    reason = fields.String(required=True)


class ExemptionIn(ReasonIn):
    """A filer exempted from one required filing of a year."""

    year = _year
    deadline_code = fields.String(required=True)
    filer_id = fields.String(required=True)


class FilingOut(Schema):
    """A filing with its deadline stamp."""

    submission_id = fields.String()
    year = fields.Integer()
    form = fields.String()
    filer_type = fields.String()
    filer_id = fields.String()
    cluster_id = fields.String()
    deadline_code = fields.String(allow_none=True)
    due = fields.Date(allow_none=True)
    filed_at = fields.DateTime()
    on_time = fields.Boolean(allow_none=True)
    amendments = fields.Integer()
    reopened = fields.Boolean()
    review_state = fields.String(metadata={"enum": list(REVIEW_STATES)})
    review_reason = fields.String(allow_none=True)
    reviewer = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    payload = fields.Dict()
    documents = fields.List(fields.Dict())
    version = fields.Integer()
    amendable = fields.Boolean(allow_none=True)
    """Whether its filer may amend it today (until the due day, or once reopened or returned); read
    with one filing, not in lists."""


class ReviewIn(Schema):
    """The receiving level's decision on a filing: accept it, or return it for completion with a reason."""

    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class FilingVersionOut(Schema):
    """One event of a filing's history."""

    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.DateTime()
    actor = fields.String(allow_none=True)
    data = fields.Dict()


class FilingQuery(Schema):
    """Filters and page of a filing list."""

    year = fields.Integer()
    form = fields.String()
    filer_id = fields.String()
    cluster_id = fields.String()
    review_state = fields.String(validate=validate.OneOf(REVIEW_STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class WaitingQuery(Schema):
    """Which year's waiting filings to count (every year the caller reads, if none)."""

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class WaitingOut(Schema):
    """How many filings wait for the caller's review, in all and by form."""

    waiting = fields.Integer()
    by_form = fields.Dict(keys=fields.String(), values=fields.Integer())


class DocumentOut(Schema):
    """A stored document."""

    sha256 = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    name = fields.String()


class BoardQuery(Schema):
    """Which year (and optionally which cluster) to show."""

    year = _year
    cluster_id = fields.String()


class YearQuery(Schema):
    """Which year."""

    year = _year


class EligibilityOut(Schema):
    """A school's eligibility decision for a year."""

    year = fields.Integer()
    school_id = fields.String()
    eligible = fields.Boolean()
    reason = fields.String()


class ExemptionOut(Schema):
    """A recorded exemption."""

    year = fields.Integer()
    deadline_code = fields.String()
    filer_id = fields.String()
    reason = fields.String()


class SubjectQuery(Schema):
    """Which people to list: those whose name, e-mail or phone contains this text (all when empty)."""

    find = fields.String(load_default="", validate=validate.Length(max=200))


class SubjectOut(Schema):
    """A person the filings name, as the Academy sees them: erased fields are gone."""

    subject_id = fields.String()
    kind = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    seen = fields.List(fields.Dict())
    created_at = fields.DateTime()
    erased_at = fields.DateTime(allow_none=True)
    erasure_reason = fields.String(allow_none=True)


class SubjectAccessOut(SubjectOut):
    """Everything submissions holds about a person: their fields and every event naming them, opened."""

    events = fields.List(fields.Dict())


class TokensIn(Schema):
    """Sealed values another service needs in clear (an e-mail to send to)."""

    tokens = fields.List(
        fields.String(validate=validate.Length(max=4000)), required=True, validate=validate.Length(max=500)
    )


class TokensOut(Schema):
    """Each sealed value's clear text; an erased person's read "[đã xóa]"."""

    values = fields.Dict(keys=fields.String(), values=fields.String())

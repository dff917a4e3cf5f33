"""What submissions publishes (strict), what it consumes (tolerant), and the inbound integration topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from services.forms import FORMS, Form
from services.vocabulary import FILER_TYPES, INTEGRATION_TOPIC, REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.catalogue import Catalogue, EventType, consumed_event, published_on
from shared.personal import PersonalString, Plan, plan_of

TOPIC = SUBMISSIONS_TOPIC


class DocumentRef(Schema):
    """A document attached to a filing, stored by the hash of its bytes."""

    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    media_type = fields.String(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    name = fields.String(load_default="", validate=validate.Length(max=300))


class _Filing(Schema):
    """What every filing event says: which form, for whom, when, against which deadline."""

    submission_id = fields.String(required=True)
    year = fields.Integer(required=True)
    form = fields.String(required=True)
    filer_type = fields.String(required=True, validate=validate.OneOf(FILER_TYPES))
    filer_id = fields.String(required=True)
    cluster_id = fields.String(required=True)
    filed_at = fields.DateTime(required=True)
    deadline_code = fields.String(load_default=None, allow_none=True)
    due = fields.Date(load_default=None, allow_none=True)
    on_time = fields.Boolean(load_default=None, allow_none=True)
    documents = fields.List(fields.Nested(DocumentRef), load_default=list)


def filing_schema(spec: Form) -> type[Schema]:
    """Return the event schema of a form: the common filing fields plus its payload."""
    return _Filing.from_dict({"payload": fields.Nested(spec.payload, required=True)}, name=f"{spec.event}V1")


class SubmissionAmendedV1(_Filing):
    """A filing was replaced (its history is kept: each amendment is an event)."""

    payload = fields.Dict(required=True)
    amendment = fields.Integer(required=True, validate=validate.Range(min=1))


class _Reviewed(Schema):
    """Which filing was reviewed, whose it is, and who reviewed it (the Academy or a cluster head)."""

    submission_id = fields.String(required=True)
    year = fields.Integer(required=True)
    form = fields.String(required=True)
    filer_type = fields.String(required=True, validate=validate.OneOf(FILER_TYPES))
    filer_id = fields.String(required=True)
    cluster_id = fields.String(required=True)
    reviewer = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reviewed_at = fields.DateTime(required=True)


class FilingAcceptedV1(_Reviewed):
    """The level that receives a filing accepted it (đã duyệt)."""


class FilingReturnedV1(_Reviewed):
    """The level that receives a filing returned it for completion (trả lại), with the reason."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SubmissionReopenedV1(Schema):
    """The Academy reopened a filing for amendment after its deadline."""

    submission_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DeadlineMissedV1(Schema):
    """A required filing was not received by the end of its due date."""

    year = fields.Integer(required=True)
    deadline_code = fields.String(required=True)
    filer_type = fields.String(required=True, validate=validate.OneOf(FILER_TYPES))
    filer_id = fields.String(required=True)
    cluster_id = fields.String(required=True)
    due = fields.Date(required=True)
    consequence = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    """``returned_unamended``: filed, returned and not corrected in time, where that counts as missing."""


class SchoolDeclaredIneligibleV1(Schema):
    """A school will not be rated this year (no Form 01 by its deadline)."""

    year = fields.Integer(required=True)
    school_id = fields.String(required=True)
    cluster_id = fields.String(required=True)
    reason = fields.String(required=True)


class EligibilityRestoredV1(Schema):
    """The Academy restored a school's eligibility, with a reason."""

    year = fields.Integer(required=True)
    school_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class FilingExemptedV1(Schema):
    """The Academy exempted a filer from one required filing of the year."""

    year = fields.Integer(required=True)
    deadline_code = fields.String(required=True)
    filer_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AchievementReportConfirmedV1(Schema):
    """A provincial committee or ministry confirmed one copy of a school's Form 09 achievement report."""

    year = fields.Integer(required=True)
    school_id = fields.String(required=True)
    copy = fields.Integer(required=True, validate=validate.OneOf((1, 2)))
    confirmed_by = fields.String(required=True, validate=validate.Length(min=1, max=100))
    confirmed_on = fields.Date(required=True)
    signatory = PersonalString(required=True, subject=True, validate=validate.Length(min=1, max=300))


class InboundAchievementReportConfirmedV1(AchievementReportConfirmedV1):
    """A Form 09 copy confirmation as a provincial or ministry system sends it: the signatory in clear.

    Submissions records it as its own AchievementReportConfirmed with the signatory sealed, then deletes
    the inbound record, so the mailbox keeps nothing it has delivered.
    """

    signatory = fields.String(required=True, validate=validate.Length(min=1, max=300))  # type: ignore[assignment]


class AchievementReportConfirmationVoidedV1(Schema):
    """The Academy voided a Form 09 confirmation recorded in error, freeing its place for the rightful one."""

    year = fields.Integer(required=True)
    school_id = fields.String(required=True)
    copy = fields.Integer(required=True, validate=validate.OneOf((1, 2)))
    confirmed_by = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PersonalDataErasedV1(Schema):
    """The Academy erased a person's data: their key is destroyed, so every sealed copy reads as erased."""

    subject_id = fields.String(required=True, validate=validate.Regexp(r"^subj_[0-9a-f]{32}$"))
    kind = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    erased_at = fields.DateTime(required=True)


_event = published_on(TOPIC)
_FILING_SCHEMAS = {code: filing_schema(spec) for code, spec in FORMS.items()}


def amended_personal(data: Mapping[str, Any]) -> Plan | None:
    """Return where an amendment's personal records are: where its form's own filing event has them."""
    schema = _FILING_SCHEMAS.get(str(data.get("form")))
    return None if schema is None else plan_of(schema)


_filing_events = {spec.event: spec for spec in FORMS.values()}  # 5.1 and 5.2 share ScoreSheetSubmitted

CATALOGUE = Catalogue(
    *(
        _event(name, _FILING_SCHEMAS[spec.code], f"A filing of {spec.title}.")
        for name, spec in _filing_events.items()
    ),
    EventType(
        "SubmissionAmended",
        1,
        SubmissionAmendedV1,
        TOPIC,
        "A filing was amended (personal fields of its payload sealed as in its form's own event).",
        personal=amended_personal,
    ),
    _event("SubmissionReopened", SubmissionReopenedV1, "A filing was reopened for amendment."),
    _event("FilingAccepted", FilingAcceptedV1, "A filing was accepted by the level that receives it."),
    _event("FilingReturned", FilingReturnedV1, "A filing was returned for completion, with the reason."),
    _event("DeadlineMissed", DeadlineMissedV1, "A required filing was not received by its deadline."),
    _event("SchoolDeclaredIneligible", SchoolDeclaredIneligibleV1, "A school is not rated this year."),
    _event("EligibilityRestored", EligibilityRestoredV1, "A school's eligibility was restored."),
    _event("FilingExempted", FilingExemptedV1, "A filer was exempted from a required filing."),
    _event("AchievementReportConfirmed", AchievementReportConfirmedV1, "A Form 09 copy was confirmed."),
    _event(
        "AchievementReportConfirmationVoided",
        AchievementReportConfirmationVoidedV1,
        "A Form 09 confirmation recorded in error was voided by the Academy, with its reason.",
    ),
    _event("PersonalDataErased", PersonalDataErasedV1, "A person's data was erased: their key is destroyed."),
)


_id = fields.String(required=True)
REGISTRY_EVENTS = Catalogue(
    consumed_event("SchoolRegistered", REGISTRY_TOPIC, school_id=_id, kind=_id, valid_from=_id),
    consumed_event("SchoolDeactivated", REGISTRY_TOPIC, school_id=_id, valid_to=_id),
    consumed_event(
        "SchoolsMerged",
        REGISTRY_TOPIC,
        successor_id=_id,
        predecessor_ids=fields.List(fields.String(), required=True),
    ),
    consumed_event("ClusterFormed", REGISTRY_TOPIC, cluster_id=_id, year=fields.Integer(required=True)),
    consumed_event(
        "SchoolJoinedCluster",
        REGISTRY_TOPIC,
        cluster_id=_id,
        school_id=_id,
        year=fields.Integer(required=True),
    ),
    consumed_event(
        "SchoolLeftCluster", REGISTRY_TOPIC, cluster_id=_id, school_id=_id, year=fields.Integer(required=True)
    ),
    consumed_event("ClusterLeadershipAssigned", REGISTRY_TOPIC, cluster_id=_id, head_school_id=_id),
    consumed_event(
        "CampaignOpened",
        REGISTRY_TOPIC,
        year=fields.Integer(required=True),
        deadlines=fields.List(fields.Dict()),
    ),
    consumed_event(
        "CampaignAmended",
        REGISTRY_TOPIC,
        year=fields.Integer(required=True),
        deadlines=fields.List(fields.Dict()),
    ),
    consumed_event(
        "DeadlineExtended", REGISTRY_TOPIC, year=fields.Integer(required=True), deadline_code=_id, due=_id
    ),
)
INBOUND_EVENTS = Catalogue(
    EventType(
        "AchievementReportConfirmed",
        1,
        InboundAchievementReportConfirmedV1,
        INTEGRATION_TOPIC,
        "A system confirmed a Form 09 copy of one of its schools (signed; recorded, then deleted).",
    ),
)

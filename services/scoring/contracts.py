"""What scoring consumes (tolerant: only the fields it needs) and what it publishes (strict)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.forms import filing_events
from services.vocabulary import AMENDED, REGISTRY_TOPIC, SCORING_TOPIC, SUBMISSIONS_TOPIC, filing_fields
from shared.catalogue import Catalogue, consumed_event, published_on

TOPIC = SCORING_TOPIC


_str = fields.String(required=True)
_int = fields.Integer(required=True)
_filing = filing_fields()

CONSUMED = Catalogue(
    consumed_event(
        "CampaignOpened", REGISTRY_TOPIC, year=_int, score_sheets=fields.List(fields.Dict(), required=True)
    ),
    consumed_event(
        "CampaignAmended", REGISTRY_TOPIC, year=_int, score_sheets=fields.List(fields.Dict(), required=True)
    ),
    consumed_event("DeadlineExtended", REGISTRY_TOPIC, year=_int, deadline_code=_str, due=_str),
    consumed_event("SchoolRegistered", REGISTRY_TOPIC, school_id=_str, kind=_str, name=_str, code=_str),
    consumed_event("SchoolJoinedCluster", REGISTRY_TOPIC, year=_int, school_id=_str, cluster_id=_str),
    consumed_event("SchoolLeftCluster", REGISTRY_TOPIC, year=_int, school_id=_str, cluster_id=_str),
    *(consumed_event(name, SUBMISSIONS_TOPIC, **_filing) for name in filing_events()),
    consumed_event(AMENDED, SUBMISSIONS_TOPIC, **_filing),
    consumed_event(
        "DeadlineMissed", SUBMISSIONS_TOPIC, year=_int, deadline_code=_str, filer_id=_str, cluster_id=_str
    ),
    consumed_event("FilingExempted", SUBMISSIONS_TOPIC, year=_int, deadline_code=_str, filer_id=_str),
    consumed_event("SchoolDeclaredIneligible", SUBMISSIONS_TOPIC, year=_int, school_id=_str),
    consumed_event("EligibilityRestored", SUBMISSIONS_TOPIC, year=_int, school_id=_str),
)


class _Result(Schema):
    year = _int
    revision = fields.Integer(required=True)


class TargetsEvaluatedV1(_Result):
    """A school's targets for a year: each value, its thresholds, met or not."""

    school_id = _str
    targets = fields.List(fields.Dict(), required=True)


class SchoolScoreComputedV1(_Result):
    """A school's score card: base, bonus, deductions, final score, band, eligibility, breakdown."""

    school_id = _str
    cluster_id = _str
    base = fields.Float(required=True)
    bonus = fields.Float(required=True)
    deductions = fields.Float(required=True)
    final = fields.Float(required=True)
    band = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    breakdown = fields.Dict(required=True)


class ScoresComputedV1(_Result):
    """A cluster's score table (Bảng tổng hợp điểm), ranked among eligible schools."""

    cluster_id = _str
    tie_break = _str
    table = fields.List(fields.Dict(), required=True)


class AwardProposalDraftedV1(_Result):
    """The cluster's proposals for the emulation flag and certificates of merit."""

    cluster_id = _str
    proposals = fields.List(fields.Dict(), required=True)


_event = published_on(TOPIC)


CATALOGUE = Catalogue(
    _event("TargetsEvaluated", TargetsEvaluatedV1, "A school's targets were evaluated."),
    _event("SchoolScoreComputed", SchoolScoreComputedV1, "A school's score card was computed."),
    _event("ScoresComputed", ScoresComputedV1, "A cluster's score table was computed."),
    _event("AwardProposalDrafted", AwardProposalDraftedV1, "A cluster's award proposals were drafted."),
)

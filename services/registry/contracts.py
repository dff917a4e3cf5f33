"""What the registry publishes: its topic and the strict schemas of its events.

A campaign is data: its targets, deadline calendar, score-sheet templates, deductions and award rules
travel in CampaignOpened / CampaignAmended, so another year changes data, not code.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.forms import DOSSIER_FORM, FORMS
from services.vocabulary import (
    AMENDED,
    AWARD_NAMES,
    REGISTRY_TOPIC,
    SCORING_TOPIC,
    SUBMISSIONS_TOPIC,
    filing_fields,
)
from shared import fields as rules
from shared.catalogue import Catalogue, consumed_event, published_on

TOPIC = REGISTRY_TOPIC
SCHOOL_KINDS = ("provincial", "ministry")
FILERS = ("school", "cluster_head")
CONSEQUENCES = ("ineligible", "deduction", "none")
TARGET_MEASURES = ("ratio", "count", "flag", "zero")

_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
_text = [validate.Length(min=1, max=2000), rules.TEXT]


class ContentAreaV1(Schema):
    """A content area of the year's theme (nội dung thi đua)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))


class TargetV1(Schema):
    """A target (chỉ tiêu): a figure of the year-end report compared with thresholds.

    ``minimum`` is "at least" ("từ 80% trở lên"), or "greater than" ("trên 90%") with
    ``minimum_exclusive``; ``maximum`` is "at most", or "less than" with ``maximum_exclusive``.
    """

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    description = fields.String(required=True, validate=_text)
    measure = fields.String(required=True, validate=validate.OneOf(TARGET_MEASURES))
    numerator = fields.String(required=True, validate=validate.Length(min=1, max=64))
    denominator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    minimum = fields.Float(load_default=None, allow_none=True)
    maximum = fields.Float(load_default=None, allow_none=True)
    minimum_exclusive = fields.Boolean(load_default=False)
    maximum_exclusive = fields.Boolean(load_default=False)


class DeadlineV1(Schema):
    """A required filing of the year: which forms, who files, by when, and what missing it costs."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=_text)
    forms = fields.List(fields.String(validate=validate.Length(min=1, max=32)), required=True)
    filer = fields.String(required=True, validate=validate.OneOf(FILERS))
    due = fields.Date(required=True)
    consequence = fields.String(load_default="deduction", validate=validate.OneOf(CONSEQUENCES))
    extended_for = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)), values=fields.Date()
    )
    """Single filers' own later days (filer id → due), as their extensions recorded them; the registry keeps
    them: a body that opens or amends a campaign cannot set them."""


class ScoreItemV1(Schema):
    """A scored item of a score sheet with its maximum."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=_text)
    max_points = fields.Float(required=True, validate=validate.Range(min=0))


class CriteriaGroupV1(Schema):
    """A group of criteria of a score sheet."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=_text)
    items = fields.List(fields.Nested(ScoreItemV1), required=True, validate=validate.Length(min=1))


class ScoreSheetV1(Schema):
    """A score-sheet template (Mẫu 5.1 for provincial schools, 5.2 for ministry schools)."""

    form = fields.String(required=True, validate=validate.Length(min=1, max=16))
    school_kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS))
    total_max = fields.Float(required=True, validate=validate.Range(min=0))
    groups = fields.List(fields.Nested(CriteriaGroupV1), required=True, validate=validate.Length(min=1))
    bonus = fields.List(fields.Nested(ScoreItemV1), load_default=list)


class DeductionsV1(Schema):
    """Points lost per required filing sent late or never sent."""

    late_per_filing = fields.Float(required=True, validate=validate.Range(min=0))
    missing_per_filing = fields.Float(required=True, validate=validate.Range(min=0))


class NationalQuotasV1(Schema):
    """How many of each award the Academy may grant in the year, across all clusters."""

    co_thi_dua = fields.Integer(required=True, validate=validate.Range(min=0))
    bang_khen = fields.Integer(required=True, validate=validate.Range(min=0))


class AwardRulesV1(Schema):
    """Who may be proposed: score threshold, quotas, and the vote majority of the conference."""

    score_threshold = fields.Float(required=True, validate=validate.Range(min=0))
    flag_quota = fields.Integer(required=True, validate=validate.Range(min=0))
    merit_quota = fields.Integer(required=True, validate=validate.Range(min=0))
    vote_majority = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    national_quotas = fields.Nested(
        NationalQuotasV1, load_default=None, allow_none=True
    )  # none: each cluster's quota times the clusters of the year
    incomplete_dossier = fields.String(
        load_default="override", validate=validate.OneOf(("refuse", "override"))
    )
    """An award to a school whose Form 09 lacks a confirmed copy: refused, or given only with the reason
    it is given all the same (recorded with the award)."""
    revoked_frees_quota = fields.Boolean(load_default=False)
    """Whether a revoked award gives its place in the year's quota back."""
    one_award_per_achievement = fields.Boolean(load_default=True)
    """Whether a school may receive one award only for the year's results (one achievement, one award)."""


class BandV1(Schema):
    """A rating band of the final score (xếp loại): its name and the lowest score in it."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    minimum = fields.Float(required=True, validate=validate.Range(min=0))


DEFAULT_BANDS = [
    {"code": "xuat_sac", "name": "Hoàn thành xuất sắc nhiệm vụ", "minimum": 90.0},
    {"code": "tot", "name": "Hoàn thành tốt nhiệm vụ", "minimum": 70.0},
    {"code": "hoan_thanh", "name": "Hoàn thành nhiệm vụ", "minimum": 50.0},
    {"code": "chua_hoan_thanh", "name": "Không hoàn thành nhiệm vụ", "minimum": 0.0},
]
"""The common 100-point scale of Quy định 366-QĐ/TW (2025), used when a campaign names no bands."""


RETURNED_UNAMENDED = ("filed", "missing")


class ReviewRulesV1(Schema):
    """How a filing returned for completion is stamped once corrected, and what it is if never corrected."""

    correction_days = fields.Integer(required=True, validate=validate.Range(min=0, max=366))
    """A correction within this many days of its return keeps the filing's stamp; a later one is late."""
    returned_unamended = fields.String(load_default="filed", validate=validate.OneOf(RETURNED_UNAMENDED))
    """A returned filing not corrected by then (its due date, or the end of its correction days if later):
    ``filed`` keeps it as filed, ``missing`` counts it as never filed (the deadline's consequence applies)."""


DEFAULT_REVIEW = {"correction_days": 10, "returned_unamended": "filed"}


class RetentionRulesV1(Schema):
    """How long the year's personal data is kept (Decree 13/2023: no longer than its purpose needs)."""

    personal_data_years = fields.Integer(load_default=5, validate=validate.Range(min=1, max=50))
    """The officers' and signatories' data named that year are erased this many years after it closes."""


DEFAULT_RETENTION = {"personal_data_years": 5}


class RuleSourceV1(Schema):
    """Where a rule of the campaign comes from: the document, its article or section, and the day from
    which it applies (when it does not apply from the start of the year)."""

    document = fields.String(required=True, validate=_text)
    article = fields.String(load_default="", validate=validate.Length(max=300))
    applies_from = fields.Date(load_default=None, allow_none=True)


class CampaignContentV1(Schema):
    """Everything a year's campaign decides (the body of CampaignOpened and CampaignAmended)."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    theme = fields.String(required=True, validate=_text)
    legal_basis = fields.String(load_default="", validate=validate.Length(max=2000))
    content_areas = fields.List(fields.Nested(ContentAreaV1), required=True)
    targets = fields.List(fields.Nested(TargetV1), required=True)
    deadlines = fields.List(fields.Nested(DeadlineV1), required=True, validate=validate.Length(min=1))
    score_sheets = fields.List(fields.Nested(ScoreSheetV1), required=True)
    deductions = fields.Nested(DeductionsV1, required=True)
    award_rules = fields.Nested(AwardRulesV1, required=True)
    opened_on = fields.Date()
    """The day the campaign counts as opened: no deadline falls before it. Opening sets it (today, or the
    earlier day the year's letter was issued, for a year begun on paper); an amendment keeps it."""
    sources = fields.Dict(keys=fields.String(), values=fields.Nested(RuleSourceV1), load_default=dict)
    """Each rule's source, by the rule's place in this content (``award_rules.incomplete_dossier``,
    ``deadlines.PLAN``, ``targets``): a refusal that applies a rule names it."""
    bands = fields.List(fields.Nested(BandV1), load_default=lambda: [dict(b) for b in DEFAULT_BANDS])
    review = fields.Nested(ReviewRulesV1, load_default=lambda: dict(DEFAULT_REVIEW))
    retention = fields.Nested(RetentionRulesV1, load_default=lambda: dict(DEFAULT_RETENTION))


class SchoolDetails(Schema):
    """A school's details as registered: the one rule for them, in the API and in the event alike."""

    code = rules.code(required=True)
    name = rules.name(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS))
    province = rules.name(100, required=True)
    valid_from = fields.Date(required=True)
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class SchoolChanges(Schema):
    """The details of a school that may change (each optional), in the API and in the event alike."""

    name = rules.name()
    province = rules.name(100)
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))


class SchoolRegisteredV1(SchoolDetails):
    """A school joined the registry (trường chính trị tỉnh or trường cán bộ bộ, ngành)."""

    school_id = _id


class SchoolUpdatedV1(SchoolChanges):
    """Some details of a school changed (only the changed fields are present)."""

    school_id = _id


class SchoolDeactivatedV1(Schema):
    """A school stopped taking part from a date on."""

    school_id = _id
    valid_to = fields.Date(required=True)
    reason = fields.String(required=True, validate=_text)


class SchoolsMergedV1(Schema):
    """Several schools became one successor on an effective date (e.g. the 1 July 2025 mergers)."""

    successor_id = _id
    predecessor_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    effective_date = fields.Date(required=True)
    legal_basis = fields.String(required=True, validate=_text)


class ClusterFormedV1(Schema):
    """A cluster (cụm thi đua) was formed for a year."""

    cluster_id = _id
    year = fields.Integer(required=True)
    name = rules.name(required=True)
    region = fields.String(load_default="", validate=validate.Length(max=300))
    sample_data = fields.Boolean(load_default=False)
    carried_from = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    """The cluster of the year before that this one continues (the year's turn), if any."""


class SchoolJoinedClusterV1(Schema):
    """A school became a member of a cluster for a year."""

    cluster_id = _id
    year = fields.Integer(required=True)
    school_id = _id


class SchoolLeftClusterV1(Schema):
    """A school stopped being a member of a cluster for a year (``merged_into``: by a merger, into it)."""

    cluster_id = _id
    year = fields.Integer(required=True)
    school_id = _id
    merged_into = fields.String(load_default=None, allow_none=True)


class ClusterLeadershipAssignedV1(Schema):
    """A cluster's head (cụm trưởng) and deputies (cụm phó) for a year were decided."""

    cluster_id = _id
    year = fields.Integer(required=True)
    head_school_id = _id
    deputy_school_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=2))
    decision = fields.String(load_default="", validate=validate.Length(max=500))


class CampaignAmendedV1(CampaignContentV1):
    """A campaign was changed before its first deadline (the whole new content)."""


class DeadlineExtendedV1(Schema):
    """A deadline of a campaign was moved later."""

    year = fields.Integer(required=True)
    deadline_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    previous_due = fields.Date(required=True)
    due = fields.Date(required=True)
    reason = fields.String(required=True, validate=_text)
    filer_id = fields.String(validate=validate.Length(min=1, max=64))
    """Present when the extension is for one filer (a school, or a cluster for a cluster's deadline)."""


class NextYearLeadershipNominatedV1(Schema):
    """The cluster's dossier (Form 08) nominated next year's head and deputies."""

    cluster_id = _id
    year = fields.Integer(required=True)
    next_year = fields.Integer(required=True)
    head_school_id = _id
    deputy_school_ids = fields.List(_id, required=True, validate=validate.Length(min=1, max=2))
    submission_id = _id


class NextYearLeadershipConfirmedV1(Schema):
    """The Academy confirmed next year's head and deputies of a cluster (as nominated, or others)."""

    cluster_id = _id
    year = fields.Integer(required=True)
    next_year = fields.Integer(required=True)
    head_school_id = _id
    deputy_school_ids = fields.List(_id, required=True, validate=validate.Length(min=1, max=2))
    decision = fields.String(required=True, validate=_text)
    as_nominated = fields.Boolean(required=True)


class AwardVerdictV1(Schema):
    """The Council's verdict on one proposal: awarded, or not awarded with its reason."""

    school_id = _id
    cluster_id = _id
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    awarded = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    rank = fields.Integer(required=True)
    final = fields.Float(required=True)
    school_name = fields.String(validate=validate.Length(max=300))
    """The school's name on the day of the decision (absent from decisions issued before names were kept)."""
    cluster_name = fields.String(validate=validate.Length(max=300))
    override_reason = fields.String(validate=_text)
    """Why the school is awarded on an incomplete Form 09 (where the campaign allows it)."""


class _DecisionV1(Schema):
    year = fields.Integer(required=True)
    decision_id = _id
    number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    signed_on = fields.Date(required=True)


class AwardsDecidedV1(_DecisionV1):
    """The Academy decided the year's awards (Quyết định khen thưởng): a verdict on every proposal."""

    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    signer_title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    verdicts = fields.List(fields.Nested(AwardVerdictV1), required=True)
    kind = fields.String(validate=validate.OneOf(("main", "supplementary")))
    """The year's main decision, or a supplementary one after it (absent: main)."""
    legal_basis = fields.String(validate=validate.Length(max=2000))
    """The campaign's legal basis the day it was issued: the paper's grounds."""
    paper_sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    """The SHA-256 of the decision's paper (DOCX) as issued: every download gives these bytes."""


class AwardGrantedV1(_DecisionV1):
    """A school received an award by the year's decision; its provincial system hears of it."""

    school_id = _id
    school_code = rules.code(required=True)
    school_name = fields.String(validate=validate.Length(max=300))
    cluster_id = _id
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    override_reason = fields.String(validate=_text)
    """Why it is given on an incomplete Form 09 (where the campaign allows it)."""


class DraftVerdictV1(Schema):
    """A verdict as drafted: awarded, or not (a reason is needed only to issue)."""

    school_id = _id
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    awarded = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    override_reason = fields.String(validate=validate.Length(max=2000))


class AwardDecisionDraftSavedV1(Schema):
    """The Academy saved a decision's draft: what it has settled so far (nothing here is issued)."""

    year = fields.Integer(required=True)
    decision_id = _id
    kind = fields.String(required=True, validate=validate.OneOf(("main", "supplementary")))
    number = fields.String(required=True, validate=validate.Length(max=64))
    signed_on = fields.Date(required=True, allow_none=True)
    signer_name = fields.String(required=True, validate=validate.Length(max=200))
    signer_title = fields.String(required=True, validate=validate.Length(max=200))
    verdicts = fields.List(fields.Nested(DraftVerdictV1), required=True)


class CorrectedParticularsV1(Schema):
    """Particulars of a decision's paper, as many as a correction touches."""

    number = fields.String(validate=validate.Length(min=1, max=64))
    signed_on = fields.Date()
    signer_name = fields.String(validate=validate.Length(min=1, max=200))
    signer_title = fields.String(validate=validate.Length(min=1, max=200))


class AwardDecisionCorrectedV1(Schema):
    """An issued decision's particulars were corrected (a typo), with the reason; its verdicts stand."""

    year = fields.Integer(required=True)
    decision_id = _id
    reason = fields.String(required=True, validate=_text)
    before = fields.Nested(CorrectedParticularsV1, required=True)
    after = fields.Nested(CorrectedParticularsV1, required=True)
    school_codes = fields.List(rules.code(), required=True)
    """The codes of the schools the decision awarded: each one's system hears of the correction."""
    paper_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    """The SHA-256 of the paper as corrected."""
    school_ids = fields.List(_id, required=True)
    """The schools the decision ruled on, told of the correction with their cluster heads."""
    cluster_ids = fields.List(_id, required=True)


class DecisionPaperSignedV1(Schema):
    """An issued (or corrected) decision's paper as PDF, signed in PAdES with the Academy's certificate:
    the file itself, base64, so every download is the paper signed that day."""

    year = fields.Integer(required=True)
    decision_id = _id
    pdf = fields.String(required=True)
    pdf_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    signed_by = fields.String(required=True, validate=validate.Length(max=300))


class AwardRevokedV1(Schema):
    """An award of an issued decision was revoked, with its reason and legal ground."""

    year = fields.Integer(required=True)
    decision_id = _id
    school_id = _id
    school_code = rules.code(required=True)
    cluster_id = _id
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    reason = fields.String(required=True, validate=_text)
    legal_basis = fields.String(required=True, validate=_text)


_event = published_on(TOPIC)


CATALOGUE = Catalogue(
    _event("SchoolRegistered", SchoolRegisteredV1, "A school was registered with a stable id."),
    _event("SchoolUpdated", SchoolUpdatedV1, "Some details of a school changed."),
    _event("SchoolDeactivated", SchoolDeactivatedV1, "A school stopped taking part from a date on."),
    _event("SchoolsMerged", SchoolsMergedV1, "Schools were merged into a successor on an effective date."),
    _event("ClusterFormed", ClusterFormedV1, "A cluster was formed for a year."),
    _event("SchoolJoinedCluster", SchoolJoinedClusterV1, "A school joined a cluster for a year."),
    _event("SchoolLeftCluster", SchoolLeftClusterV1, "A school left a cluster for a year."),
    _event(
        "ClusterLeadershipAssigned", ClusterLeadershipAssignedV1, "A cluster's head and deputies were set."
    ),
    _event(
        "NextYearLeadershipNominated",
        NextYearLeadershipNominatedV1,
        "A cluster's dossier nominated next year's head and deputies.",
    ),
    _event(
        "NextYearLeadershipConfirmed",
        NextYearLeadershipConfirmedV1,
        "The Academy confirmed next year's head and deputies of a cluster.",
    ),
    _event("CampaignOpened", CampaignContentV1, "A year's campaign was opened with all its rules."),
    _event("CampaignAmended", CampaignAmendedV1, "A campaign was amended before its first deadline."),
    _event("DeadlineExtended", DeadlineExtendedV1, "A campaign deadline was extended."),
    _event("AwardsDecided", AwardsDecidedV1, "The Academy decided the year's awards, proposal by proposal."),
    _event("AwardGranted", AwardGrantedV1, "A school received an award by the year's decision."),
    _event(
        "AwardDecisionDraftSaved",
        AwardDecisionDraftSavedV1,
        "The Academy saved the draft of an award decision.",
    ),
    _event(
        "AwardDecisionCorrected",
        AwardDecisionCorrectedV1,
        "The particulars of an issued award decision were corrected, with a reason.",
    ),
    _event("AwardRevoked", AwardRevokedV1, "An award was revoked, with its reason and legal ground."),
    _event(
        "DecisionPaperSigned",
        DecisionPaperSignedV1,
        "An issued decision's paper was signed (PAdES) with the Academy's certificate.",
    ),
)

CONSUMED = Catalogue(
    consumed_event(FORMS[DOSSIER_FORM].event, SUBMISSIONS_TOPIC, **filing_fields()),
    consumed_event(AMENDED, SUBMISSIONS_TOPIC, **filing_fields()),
    consumed_event(
        "AwardProposalDrafted",
        SCORING_TOPIC,
        year=fields.Integer(required=True),
        revision=fields.Integer(required=True),
        cluster_id=fields.String(required=True),
        proposals=fields.List(fields.Dict(), required=True),
    ),
    consumed_event(
        "AchievementReportConfirmed",
        SUBMISSIONS_TOPIC,
        year=fields.Integer(required=True),
        school_id=fields.String(required=True),
        copy=fields.Integer(required=True),
    ),
    consumed_event(
        "AchievementReportConfirmationVoided",
        SUBMISSIONS_TOPIC,
        year=fields.Integer(required=True),
        school_id=fields.String(required=True),
        copy=fields.Integer(required=True),
    ),
)
"""What the registry consumes: the cluster dossiers, for their nomination of next year's leadership, the
clusters' award proposals, which the Academy decides, and the Form 09 copies its decisions check."""

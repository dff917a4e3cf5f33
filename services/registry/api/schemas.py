"""Request and response schemas of the registry API."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.registry.contracts import SCHOOL_KINDS, CampaignContentV1, SchoolChanges, SchoolDetails
from services.vocabulary import AWARD_NAMES
from shared import fields as rules

_page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
_per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
_version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=2**31 - 1))
"""A stream version the caller last read: a count of events, so within what the databases store."""


class SchoolIn(SchoolDetails):
    """A school to register."""


class SchoolPatch(SchoolChanges):
    """Details of a school to change; ``expected_version`` guards against lost updates."""

    expected_version = _version


class DeactivationIn(Schema):
    """When and why a school stops taking part."""

    valid_to = fields.Date(required=True)
    reason = rules.text(required=True)
    expected_version = _version


class MergeIn(Schema):
    """Schools merged into an existing successor or into a new one described here."""

    predecessor_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=20))
    successor_id = fields.String(load_default=None, allow_none=True)
    new_successor = fields.Nested(SchoolIn, load_default=None, allow_none=True)
    effective_date = fields.Date(required=True)
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))

    @validates_schema
    def _one_successor(self, data: dict[str, object], **_kwargs: object) -> None:
        if (data.get("successor_id") is None) == (data.get("new_successor") is None):
            raise ValidationError("give exactly one of successor_id and new_successor", "successor_id")


class SchoolOut(Schema):
    """A registered school."""

    school_id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    province = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    status = fields.String()
    successor_id = fields.String(allow_none=True)
    merge_basis = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    version = fields.Integer()


class LineageNode(SchoolOut):
    """A predecessor with its own predecessors."""

    predecessors = fields.List(fields.Nested(lambda: LineageNode()))


class LineageOut(Schema):
    """A school, the schools merged into it, and the schools it was merged into."""

    school = fields.Nested(SchoolOut)
    predecessors = fields.List(fields.Nested(LineageNode))
    successors = fields.List(fields.Nested(SchoolOut))


class SchoolQuery(Schema):
    """Filters and page of a school list."""

    kind = fields.String(validate=validate.OneOf(SCHOOL_KINDS))
    province = fields.String()
    status = fields.String(validate=validate.OneOf(("active", "deactivated", "merged")))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    cluster_id = fields.String()
    page = _page
    per_page = _per_page


class LeadershipIn(Schema):
    """A cluster's head and one or two deputies for its year."""

    head_school_id = fields.String(required=True)
    deputy_school_ids = fields.List(fields.String(), required=True)
    decision = fields.String(load_default="", validate=validate.Length(max=500))
    expected_version = _version


class ClusterIn(Schema):
    """A cluster to form for a year, with its members and optionally its leadership."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    name = rules.name(required=True)
    region = fields.String(load_default="", validate=validate.Length(max=300))
    member_school_ids = fields.List(fields.String(), load_default=list, validate=validate.Length(max=30))
    head_school_id = fields.String(load_default=None, allow_none=True)
    deputy_school_ids = fields.List(fields.String(), load_default=list)
    decision = fields.String(load_default="", validate=validate.Length(max=500))


class MemberIn(Schema):
    """A school to add to a cluster."""

    school_id = fields.String(required=True)
    expected_version = _version


class ClusterOut(Schema):
    """A cluster of a year with its members and leadership."""

    cluster_id = fields.String()
    year = fields.Integer()
    name = fields.String()
    region = fields.String()
    head_school_id = fields.String(allow_none=True)
    deputy_school_ids = fields.List(fields.String())
    member_ids = fields.List(fields.String())
    sample_data = fields.Boolean()
    carried_from = fields.String(allow_none=True)
    version = fields.Integer()


class CarriedClusterOut(ClusterOut):
    """A cluster carried into a new year: how its old members were mapped through the mergers."""

    mapped = fields.Dict(keys=fields.String(), values=fields.String())
    dropped = fields.List(fields.String())


class CarryForwardIn(Schema):
    """The year whose clusters are formed from the year before."""

    year = fields.Integer(required=True, validate=validate.Range(min=2001, max=2100))


class NextLeadershipIn(Schema):
    """The Academy's confirmation of next year's leadership: as nominated, unless others are named."""

    head_school_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64)
    )
    deputy_school_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2),
    )
    decision = fields.String(required=True, validate=validate.Length(min=1, max=500))


class Leaders(Schema):
    """A head and deputies."""

    head_school_id = fields.String()
    deputy_school_ids = fields.List(fields.String())


class NominationOut(Schema):
    """Next year's leadership of a cluster: as its dossier nominated it and as the Academy confirmed it."""

    cluster_id = fields.String()
    year = fields.Integer()
    next_year = fields.Integer()
    nominated = fields.Nested(Leaders, allow_none=True)
    submission_id = fields.String(allow_none=True)
    confirmed = fields.Nested(Leaders, allow_none=True)
    decision = fields.String(allow_none=True)


class SchoolYearOut(Schema):
    """One year of a school (or of a school it absorbed): its cluster and its role there."""

    year = fields.Integer()
    school_id = fields.String()
    via = fields.String()
    """self, or predecessor: a school merged into this one."""
    cluster_id = fields.String()
    cluster_name = fields.String()
    role = fields.String()


class SchoolYearsOut(Schema):
    """A school's history across years and mergers."""

    school = fields.Nested(SchoolOut)
    absorbed = fields.List(fields.String())
    years = fields.List(fields.Nested(SchoolYearOut))


class ClusterQuery(Schema):
    """Filters and page of a cluster list."""

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    page = _page
    per_page = _per_page


class CampaignIn(CampaignContentV1):
    """A campaign's full content; ``expected_version`` guards an amendment."""

    expected_version = _version


class CampaignOpenIn(Schema):
    """A new year's campaign: its full content, or ``from_year`` with a theme to copy an earlier year's.

    With ``from_year`` the content of that year's campaign is carried into ``year`` (each deadline on the
    same day and month), with the ``theme``, ``legal_basis`` and ``opened_on`` given here; nothing else.
    A deadline before the day the campaign counts as opened is refused (``deadline_in_past``).
    Without it, the body is a campaign's full content, as ``PUT /campaigns/{year}`` takes it.
    """

    class Meta:
        unknown = INCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    from_year = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100)
    )
    theme = fields.String(validate=validate.Length(min=1, max=2000))
    legal_basis = fields.String(validate=validate.Length(max=2000))
    opened_on = fields.Date()
    """The day the campaign counts as opened (default today; never later): no deadline may fall before it."""

    @validates_schema(pass_original=True)
    def _copy_or_content(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        if data.get("from_year") is None:
            errors = CampaignContentV1().validate({k: v for k, v in original.items() if k != "from_year"})
            if errors:
                raise ValidationError(errors)
            return
        extra = sorted(set(original) - {"year", "from_year", "theme", "legal_basis", "opened_on"})
        if extra:
            raise ValidationError({key: ["Give either from_year or the content, not both."] for key in extra})
        if "theme" not in data:
            raise ValidationError({"theme": ["Missing data for required field."]})


class CopyQuery(Schema):
    """Which later year a campaign's copy is made for."""

    into = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ExtensionIn(Schema):
    """A later due date for one deadline, and why; for one filer only when ``filer_id`` names it."""

    due = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    filer_id = fields.String(validate=validate.Length(min=1, max=64))


class CampaignOut(Schema):
    """A year's campaign."""

    year = fields.Integer()
    version = fields.Integer()
    content = fields.Dict()


class VerdictIn(Schema):
    """The Council's verdict on one proposal: awarded, or not awarded with a reason."""

    school_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    awarded = fields.Boolean(required=True)
    reason = fields.String(validate=[validate.Length(max=2000), rules.TEXT])  # absent: none given
    override_reason = fields.String(validate=[validate.Length(max=2000), rules.TEXT])
    """Why the school is awarded on an incomplete Form 09 (where the campaign allows it)."""


class DecisionIn(Schema):
    """The year's award decision: its number, the day signed, the signer, a verdict on every proposal."""

    number = fields.String(required=True, validate=[validate.Length(min=1, max=64), rules.TEXT])
    signed_on = fields.Date(required=True)
    signer_name = rules.name(200, required=True)
    signer_title = rules.name(200, required=True)
    verdicts = fields.List(fields.Nested(VerdictIn), required=True, validate=validate.Length(min=1, max=1000))


class DraftIn(Schema):
    """A decision's draft as the Academy has it so far: any particulars, verdicts on open proposals."""

    number = rules.so_far(64)
    signed_on = fields.Date(load_default=None, allow_none=True)
    signer_name = rules.so_far(200)
    signer_title = rules.so_far(200)
    verdicts = fields.List(fields.Nested(VerdictIn), load_default=list, validate=validate.Length(max=1000))


class CountOut(Schema):
    """An award's count in a draft: granted by earlier decisions, added by this one, and its quota."""

    earlier = fields.Integer()
    adding = fields.Integer()
    quota = fields.Integer()


class OverQuotaOut(Schema):
    """An award the draft takes beyond its quota."""

    award = fields.String()
    awarded = fields.Integer()
    quota = fields.Integer()


class DraftVerdictOut(Schema):
    """A verdict as drafted."""

    school_id = fields.String()
    award = fields.String()
    awarded = fields.Boolean()
    reason = fields.String()
    override_reason = fields.String()


class DraftOut(Schema):
    """A decision's draft with its counts against the quotas and the awards it takes beyond them."""

    decision_id = fields.String()
    year = fields.Integer()
    kind = fields.String()
    number = fields.String()
    signed_on = fields.Date(allow_none=True)
    signer_name = fields.String()
    signer_title = fields.String()
    verdicts = fields.List(fields.Nested(DraftVerdictOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(CountOut))
    over_quota = fields.List(fields.Nested(OverQuotaOut))
    incomplete_dossiers = fields.List(fields.String())
    """Schools it awards on a Form 09 lacking a confirmed copy, that the year's rule would refuse."""
    dossier_rule = fields.String()
    """What the year does with an incomplete Form 09: refuse the award, or take a reason to give it."""


class CorrectionIn(Schema):
    """The corrected particulars of an issued decision (those that change) and why."""

    number = fields.String(validate=[validate.Length(min=1, max=64), rules.TEXT])
    signed_on = fields.Date()
    signer_name = rules.name(200)
    signer_title = rules.name(200)
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), rules.TEXT])


class RevocationIn(Schema):
    """The revocation of one award of the year: whose, which, why and on what legal ground."""

    school_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    award = fields.String(required=True, validate=validate.OneOf(AWARD_NAMES))
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), rules.TEXT])
    legal_basis = fields.String(required=True, validate=[validate.Length(min=1, max=2000), rules.TEXT])


class ProposalOut(Schema):
    """A cluster's proposal of one school for one award, as the conference's vote left it."""

    school_id = fields.String()
    cluster_id = fields.String()
    award = fields.String()
    status = fields.String()
    rank = fields.Integer()
    final = fields.Float()
    vote_share = fields.Float(allow_none=True)
    form_09_copies = fields.Integer()
    """How many copies of the school's Form 09 its province or ministry has confirmed (of 2)."""


class QuotasOut(Schema):
    """How many of each award the year allows nationally."""

    co_thi_dua = fields.Integer()
    bang_khen = fields.Integer()


class ProposalsOut(Schema):
    """The proposals before the Academy in a year, the quotas and whether the year is decided."""

    year = fields.Integer()
    quotas = fields.Nested(QuotasOut)
    proposals = fields.List(fields.Nested(ProposalOut))
    decided = fields.Boolean()


class VerdictOut(Schema):
    """A verdict of the decision."""

    school_id = fields.String()
    cluster_id = fields.String()
    award = fields.String()
    awarded = fields.Boolean()
    reason = fields.String()
    rank = fields.Integer()
    final = fields.Float()
    school_name = fields.String()
    """The school's name the day the decision was issued."""
    cluster_name = fields.String()
    revoked = fields.Boolean()
    override_reason = fields.String()


class CorrectionOut(Schema):
    """A correction of an issued decision: why, and the particulars before and after."""

    reason = fields.String()
    before = fields.Dict()
    after = fields.Dict()
    corrected_at = fields.String()


class DecisionOut(Schema):
    """An award decision as issued, its particulars as corrected since, its corrections."""

    year = fields.Integer()
    decision_id = fields.String()
    kind = fields.String()
    number = fields.String()
    signed_on = fields.Date()
    signer_name = fields.String()
    signer_title = fields.String()
    verdicts = fields.List(fields.Nested(VerdictOut))
    corrections = fields.List(fields.Nested(CorrectionOut))
    paper_sha256 = fields.String(allow_none=True)
    """The SHA-256 of the decision's paper as issued or last corrected (none before papers were kept)."""
    pdf_sha256 = fields.String(allow_none=True)
    """The SHA-256 of its signed PDF as last signed (none when it could not be signed)."""


class RegisterQuery(Schema):
    """Which part of the award register: a year, a school (with the schools merged into it), or all."""

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    school_id = fields.String(validate=validate.Length(min=1, max=64))


class RegisterEntryOut(Schema):
    """An award in the register: who received it, in which year, by which decision, and who carries it now."""

    year = fields.Integer()
    school_id = fields.String()
    school_name = fields.String()
    award = fields.String()
    cluster_id = fields.String()
    cluster_name = fields.String()
    decision_id = fields.String()
    number = fields.String()
    signed_on = fields.Date()
    held_by = fields.String()
    revoked = fields.Boolean()
    revoked_reason = fields.String(allow_none=True)
    revoked_basis = fields.String(allow_none=True)
    override_reason = fields.String(allow_none=True)
    """Why it was given on an incomplete Form 09, when it was."""

"""Every form of the year, declared once: its code, who files it, its payload schema and its event.

Which deadline a form answers is the campaign's data (each deadline lists its forms), so a new form is
a declaration and a schema here, not new plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields, validate

from services import vocabulary as v

SCHOOL = "school"
CLUSTER_HEAD = "cluster_head"
ACADEMY = "academy"

_text = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class _Payload(Schema):
    """Base of every payload: free text notes are allowed everywhere."""

    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class PlanPayload(_Payload):
    """Mẫu 01: the school's emulation plan and the titles it registers for."""

    summary = _text
    registered_titles = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True)


class ClusterPlanPayload(_Payload):
    """Mẫu 02: the cluster's plan: purpose, contents, division of work, proposals."""

    purpose = _text
    contents = fields.List(fields.String(validate=validate.Length(min=1, max=2000)), required=True)
    division_of_work = _text
    proposals = fields.String(load_default="", validate=validate.Length(max=20000))


class Officer(Schema):
    """An officer in charge of emulation at a school (cán bộ phụ trách thi đua)."""

    school_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    phone = fields.String(required=True, validate=validate.Length(min=6, max=40))


class OfficersPayload(_Payload):
    """Mẫu 03: the officers of the cluster's schools."""

    officers = fields.List(fields.Nested(Officer), required=True, validate=validate.Length(min=1))


class LaunchPayload(_Payload):
    """The cluster launched the year's movement."""

    launched_on = fields.Date(required=True)
    summary = _text


class ParticipationPayload(_Payload):
    """A school registers to take part in the cluster's activities."""

    activities = fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True)


class VerifiedScore(Schema):
    """A criterion's score as verified by an inspection."""

    criterion = fields.String(required=True)
    points = fields.Float(required=True, validate=validate.Range(min=0))


class InspectionPayload(_Payload):
    """Inspection minutes (biên bản kiểm tra), possibly a cross-inspection with verified scores."""

    inspected_school_id = fields.String(required=True)
    inspecting_school_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    cross_inspection = fields.Boolean(required=True)
    inspected_on = fields.Date(required=True)
    findings = _text
    verified_scores = fields.List(fields.Nested(VerifiedScore), load_default=list)


class MidYearReviewPayload(_Payload):
    """The mid-year review conference was held (sơ kết 6 tháng)."""

    held_on = fields.Date(required=True)
    summary = _text


class MidYearReportPayload(_Payload):
    """The mid-year report sent to the Academy."""

    summary = _text


class YearEndFigures(Schema):
    """The Form 04 appendix figures the targets are computed from."""

    staff = fields.Integer(required=True, validate=validate.Range(min=0))
    lao_dong_tien_tien = fields.Integer(required=True, validate=validate.Range(min=0))
    chien_si_thi_dua_co_so = fields.Integer(required=True, validate=validate.Range(min=0))
    collectives = fields.Integer(required=True, validate=validate.Range(min=0))
    tap_the_lao_dong_tien_tien = fields.Integer(required=True, validate=validate.Range(min=0))
    tap_the_lao_dong_xuat_sac = fields.Integer(required=True, validate=validate.Range(min=0))
    commended = fields.Integer(required=True, validate=validate.Range(min=0))
    party_orgs = fields.Integer(required=True, validate=validate.Range(min=0))
    party_orgs_good_or_better = fields.Integer(required=True, validate=validate.Range(min=0))
    party_orgs_excellent = fields.Integer(required=True, validate=validate.Range(min=0))
    units = fields.Integer(required=True, validate=validate.Range(min=0))
    units_good_or_better = fields.Integer(required=True, validate=validate.Range(min=0))
    departments = fields.Integer(required=True, validate=validate.Range(min=0))
    departments_responding = fields.Integer(required=True, validate=validate.Range(min=0))
    discipline_violations = fields.Integer(required=True, validate=validate.Range(min=0))
    standard_school_goal_met = fields.Boolean(required=True)


class YearEndReportPayload(_Payload):
    """Mẫu 04: the school's year-end report and its appendix figures."""

    summary = _text
    figures = fields.Nested(YearEndFigures, required=True)


class Score(Schema):
    """A self-score for one criterion (or bonus item) of the year's template."""

    criterion = fields.String(required=True)
    points = fields.Float(required=True, validate=validate.Range(min=0))


class ScoreSheetPayload(_Payload):
    """Mẫu 5.1 / 5.2: the school's self-scores per criterion of the year's template."""

    scores = fields.List(fields.Nested(Score), required=True, validate=validate.Length(min=1))
    bonus = fields.List(fields.Nested(Score), load_default=list)


class ConferencePayload(_Payload):
    """The year-end conference's plan, programme and invitation."""

    held_on = fields.Date(required=True)
    venue = fields.String(required=True, validate=validate.Length(min=1, max=500))
    programme = _text


class BallotResult(Schema):
    """The secret-ballot tally for one proposal (Mẫu 07)."""

    school_id = fields.String(required=True)
    award = fields.String(required=True, validate=validate.OneOf(("co_thi_dua", "bang_khen")))
    voters = fields.Integer(required=True, validate=validate.Range(min=1))
    in_favour = fields.Integer(required=True, validate=validate.Range(min=0))


class Nomination(Schema):
    """Next year's head and deputies proposed by the conference (in Mẫu 08)."""

    head_school_id = fields.String(required=True)
    deputy_school_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=2))


class DossierPayload(_Payload):
    """The cluster dossier: Mẫu 06 report, 07 minutes with the ballot, the score table, 08, and two 09."""

    report_06 = _text
    minutes_07 = _text
    ballots = fields.List(fields.Nested(BallotResult), required=True)
    score_table = fields.List(fields.Dict(), required=True)
    proposals_08 = fields.List(fields.Nested(BallotResult), required=True)
    nomination = fields.Nested(Nomination, required=True)


@dataclass(frozen=True)
class FormSpec:
    """A form: its code, who files it, its payload, and whether it repeats; its event is the vocabulary's."""

    code: str
    filer: str
    payload: type[Schema]
    repeatable: bool = False
    school_kind: str | None = None
    reviewer: str = ACADEMY
    """Who receives and reviews a filing of this form: the Academy, or the head of the filer's cluster."""

    @property
    def title(self) -> str:
        """Return the form's name as the letter gives it."""
        return v.form_title(self.code)

    @property
    def event(self) -> str:
        """Return the event a filing of this form produces."""
        return v.FORM_EVENTS[self.code]


FORMS = {
    spec.code: spec
    for spec in (
        FormSpec(v.PLAN_FORM, SCHOOL, PlanPayload),
        FormSpec(v.CLUSTER_PLAN_FORM, CLUSTER_HEAD, ClusterPlanPayload),
        FormSpec(v.OFFICERS_FORM, CLUSTER_HEAD, OfficersPayload),
        FormSpec(v.LAUNCH_FORM, CLUSTER_HEAD, LaunchPayload),
        FormSpec(
            v.PARTICIPATION_FORM,
            SCHOOL,
            ParticipationPayload,
            reviewer=CLUSTER_HEAD,
        ),
        FormSpec(v.INSPECTION_FORM, CLUSTER_HEAD, InspectionPayload, repeatable=True),
        FormSpec(v.MID_YEAR_REVIEW_FORM, CLUSTER_HEAD, MidYearReviewPayload),
        FormSpec(v.MID_YEAR_REPORT_FORM, CLUSTER_HEAD, MidYearReportPayload),
        FormSpec(
            v.YEAR_END_REPORT_FORM,
            SCHOOL,
            YearEndReportPayload,
            reviewer=CLUSTER_HEAD,
        ),
        FormSpec(
            v.PROVINCIAL_SCORE_SHEET_FORM,
            SCHOOL,
            ScoreSheetPayload,
            school_kind="provincial",
            reviewer=CLUSTER_HEAD,
        ),
        FormSpec(
            v.MINISTRY_SCORE_SHEET_FORM,
            SCHOOL,
            ScoreSheetPayload,
            school_kind="ministry",
            reviewer=CLUSTER_HEAD,
        ),
        FormSpec(
            v.CONFERENCE_FORM,
            CLUSTER_HEAD,
            ConferencePayload,
        ),
        FormSpec(v.DOSSIER_FORM, CLUSTER_HEAD, DossierPayload),
    )
}

"""Every form of the year, declared once: code, event, title, who files and reviews it, its fields.

This is the one place a form is described. Submissions validates filings with each form's schema, the
portal builds its form lists, fields and labels from it, and the event catalogue (so the AsyncAPI
document and the JSON Schemas) takes each form's event and payload from it. A *simple* form is made of
its fields alone: its payload schema is built from them, and the portal's generic page asks for them.
A *structured* form (lists of records: officers, scores, ballots) keeps a schema of its own and a page
of its own; its top-level fields still carry their labels here.

Which deadline a form answers is the campaign's data (each deadline lists its forms), so a new simple
form is one ``Form(...)`` below and a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from marshmallow import Schema, fields, validate

from shared.personal import PersonalEmail, PersonalString

SCHOOL = "school"
CLUSTER_HEAD = "cluster_head"
ACADEMY = "academy"
"""Who files or reviews a form: a school, the head of the filer's cluster, or the Academy."""

TEXT, TEXTAREA, LINES, DATE, INTEGER, CHECKBOX = "text", "textarea", "lines", "date", "int", "bool"
"""How a field is typed in: a line, a text, one item per line, a date, a whole number, a tick box."""

LONGEST = {TEXT: 500, TEXTAREA: 20000, LINES: 2000}
"""The longest text a field (or one line of a list) may hold, unless its declaration says less."""

PLAN_FORM = "01"
CLUSTER_PLAN_FORM = "02"
OFFICERS_FORM = "03"
LAUNCH_FORM = "PHAT_DONG"
PARTICIPATION_FORM = "DANG_KY_CUM"
INSPECTION_FORM = "KIEM_TRA"
MID_YEAR_REVIEW_FORM = "SO_KET"
MID_YEAR_REPORT_FORM = "BAO_CAO_SO_KET"
YEAR_END_REPORT_FORM = "04"
PROVINCIAL_SCORE_SHEET_FORM = "5.1"
MINISTRY_SCORE_SHEET_FORM = "5.2"
CONFERENCE_FORM = "HOI_NGHI_TONG_KET"
DOSSIER_FORM = "HO_SO_CUM"


@dataclass(frozen=True)
class Field:
    """One field of a form: where it sits in the payload, its label, how it is typed in, its help."""

    path: tuple[str, ...]
    label: str
    kind: str = TEXTAREA
    required: bool = True
    help: str = ""
    longest: int | None = None

    @property
    def name(self) -> str:
        """Return the HTML name of the field (its payload path joined by dots)."""
        return ".".join(self.path)

    def checked(self) -> fields.Field:
        """Return the schema field that checks a filed value of this field."""
        longest = self.longest or LONGEST.get(self.kind, 0)
        given: dict[str, Any] = {"required": True} if self.required else {}
        if self.kind == LINES:
            line = fields.String(validate=validate.Length(min=1, max=longest))
            return fields.List(line, **given) if self.required else fields.List(line, load_default=list)
        if self.kind in (TEXT, TEXTAREA):
            if self.required:
                return fields.String(required=True, validate=validate.Length(min=1, max=longest))
            return fields.String(load_default="", validate=validate.Length(max=longest))
        if self.kind == INTEGER:
            return fields.Integer(validate=validate.Range(min=0), **given)
        return {DATE: fields.Date, CHECKBOX: fields.Boolean}[self.kind](**given)


NOTES = Field(("notes",), "Ghi chú (không bắt buộc)", required=False)
"""Free notes: every form has them."""


class Payload(Schema):
    """Base of every structured payload: free notes are allowed everywhere."""

    notes = NOTES.checked()


@dataclass(frozen=True)
class Form:
    """A form of the year: the one declaration every service and page reads it from."""

    code: str
    event: str
    title: str
    filer: str
    fields: tuple[Field, ...] = ()
    structured: type[Schema] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    reviewer: str = ACADEMY
    school_kind: str | None = None
    repeatable: bool = False

    @property
    def simple(self) -> bool:
        """Return whether the form is its fields alone (asked for on the portal's generic page)."""
        return self.structured is None

    @property
    def asked(self) -> tuple[Field, ...]:
        """Return the fields the portal asks for, notes last."""
        return (*self.fields, NOTES) if self.simple else ()

    @cached_property
    def payload(self) -> type[Schema]:
        """Return the schema of this form's payload: its own, or the one its fields make."""
        if self.structured is not None:
            return self.structured
        top: dict[str, Any] = {}
        nested: dict[str, dict[str, fields.Field]] = {}
        for item in self.asked:
            if len(item.path) == 1:
                top[item.path[0]] = item.checked()
            else:
                nested.setdefault(item.path[0], {})[item.path[1]] = item.checked()
        for key, inner in nested.items():
            schema = Schema.from_dict(inner, name=f"{self.event}{key.title()}")
            top[key] = fields.Nested(schema, required=True)
        return Schema.from_dict(top, name=f"{self.event}Payload")

    def label_of(self, key: str) -> str:
        """Return how a top-level field of the payload is named on a page."""
        for item in self.asked:
            if item.path == (key,):
                return item.label
        return self.labels.get(key, LABELS.get(key, key))


FORMS: dict[str, Form] = {}
"""The forms of the suite by code, in the order of the year."""


def declare(*forms: Form) -> None:
    """Add forms to the suite's declaration (the letter's below; a test may add its own first)."""
    for form in forms:
        FORMS[form.code] = form


def form_title(code: str) -> str:
    """Return a form's name (its code when the suite does not know it)."""
    return FORMS[code].title if code in FORMS else code


def filing_events() -> tuple[str, ...]:
    """Return the events of filings, in form order: consumers take this, so a new form reaches them."""
    return tuple(dict.fromkeys(form.event for form in FORMS.values()))


def filed_by(filer: str, school_kind: str | None = None) -> tuple[str, ...]:
    """Return the codes of the forms a school (of a kind) or a cluster head files, in the year's order."""
    return tuple(
        form.code
        for form in FORMS.values()
        if form.filer == filer and form.school_kind in (None, school_kind)
    )


def label_of(code: str, key: str) -> str:
    """Return how a payload's top-level field is named on the page of a form."""
    return FORMS[code].label_of(key) if code in FORMS else LABELS.get(key, key)


LABELS = {"notes": "Ghi chú"}
"""Names of payload fields shared by every form."""


YEAR_END_FIGURES = (
    ("staff", "Tổng số cán bộ, công chức, viên chức, người lao động"),
    ("lao_dong_tien_tien", "Số đạt danh hiệu Lao động tiên tiến"),
    ("chien_si_thi_dua_co_so", "Số đạt danh hiệu Chiến sĩ thi đua cơ sở"),
    ("collectives", "Tổng số tập thể"),
    ("tap_the_lao_dong_tien_tien", "Số Tập thể Lao động tiên tiến"),
    ("tap_the_lao_dong_xuat_sac", "Số Tập thể Lao động xuất sắc"),
    ("commended", "Số tập thể, cá nhân được khen thưởng các cấp"),
    ("party_orgs", "Số tổ chức đảng"),
    ("party_orgs_good_or_better", "Số tổ chức đảng hoàn thành tốt nhiệm vụ trở lên"),
    ("party_orgs_excellent", "Số tổ chức đảng hoàn thành xuất sắc nhiệm vụ"),
    ("units", "Số đơn vị chuyên môn, đoàn thể"),
    ("units_good_or_better", "Số đơn vị chuyên môn, đoàn thể hoàn thành tốt nhiệm vụ trở lên"),
    ("departments", "Số khoa, phòng"),
    ("departments_responding", "Số khoa, phòng hưởng ứng phong trào"),
    ("discipline_violations", "Số vụ vi phạm kỷ luật, kỷ cương"),
)
"""The Form 04 appendix figures the targets are computed from: each figure's name and label, once."""


class Officer(Schema):
    """An officer in charge of emulation at a school (cán bộ phụ trách thi đua)."""

    school_id = fields.String(required=True)
    name = PersonalString(required=True, validate=validate.Length(min=1, max=200))
    position = PersonalString(required=True, validate=validate.Length(min=1, max=200))
    email = PersonalEmail(required=True, subject=True)
    phone = PersonalString(required=True, validate=validate.Length(min=6, max=40))


class OfficersPayload(Payload):
    """Mẫu 03: the officers of the cluster's schools."""

    officers = fields.List(fields.Nested(Officer), required=True, validate=validate.Length(min=1))


class Score(Schema):
    """A score for one criterion (or bonus item) of the year's template."""

    criterion = fields.String(required=True)
    points = fields.Float(required=True, validate=validate.Range(min=0))


class InspectionPayload(Payload):
    """Inspection minutes (biên bản kiểm tra), possibly a cross-inspection with verified scores."""

    inspected_school_id = fields.String(required=True)
    inspecting_school_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    cross_inspection = fields.Boolean(required=True)
    inspected_on = fields.Date(required=True)
    findings = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    verified_scores = fields.List(fields.Nested(Score), load_default=list)


class ScoreSheetPayload(Payload):
    """Mẫu 5.1 / 5.2: the school's self-scores per criterion of the year's template."""

    scores = fields.List(fields.Nested(Score), required=True, validate=validate.Length(min=1))
    bonus = fields.List(fields.Nested(Score), load_default=list)


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


class DossierPayload(Payload):
    """The cluster dossier: Mẫu 06 report, 07 minutes with the ballot, the score table, 08, and two 09."""

    report_06 = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    minutes_07 = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    ballots = fields.List(fields.Nested(BallotResult), required=True)
    score_table = fields.List(fields.Dict(), required=True)
    proposals_08 = fields.List(fields.Nested(BallotResult), required=True)
    nomination = fields.Nested(Nomination, required=True)


SCORE_LABELS = {"scores": "Điểm tự chấm", "bonus": "Điểm thưởng"}

declare(
    Form(
        PLAN_FORM,
        "PlanSubmitted",
        "Mẫu số 01 – Kế hoạch triển khai phong trào thi đua và đăng ký thi đua",
        SCHOOL,
        (
            Field(("summary",), "Nội dung kế hoạch triển khai phong trào thi đua"),
            Field(
                ("registered_titles",),
                "Danh hiệu thi đua đăng ký (mỗi dòng một danh hiệu)",
                LINES,
                help="Ví dụ: Cờ thi đua của Học viện; Tập thể Lao động xuất sắc.",
                longest=200,
            ),
        ),
    ),
    Form(
        CLUSTER_PLAN_FORM,
        "ClusterPlanFiled",
        "Mẫu số 02 – Kế hoạch hoạt động thi đua của cụm",
        CLUSTER_HEAD,
        (
            Field(("purpose",), "Mục đích, yêu cầu"),
            Field(("contents",), "Nội dung hoạt động (mỗi dòng một nội dung)", LINES),
            Field(("division_of_work",), "Phân công nhiệm vụ"),
            Field(("proposals",), "Đề xuất, kiến nghị", required=False),
        ),
    ),
    Form(
        OFFICERS_FORM,
        "OfficersListed",
        "Mẫu số 03 – Danh sách cán bộ phụ trách thi đua của các trường trong cụm",
        CLUSTER_HEAD,
        structured=OfficersPayload,
        labels={"officers": "Cán bộ phụ trách thi đua"},
    ),
    Form(
        LAUNCH_FORM,
        "ClusterCampaignLaunched",
        "Phát động phong trào thi đua của cụm",
        CLUSTER_HEAD,
        (Field(("launched_on",), "Ngày phát động", DATE), Field(("summary",), "Nội dung phát động")),
    ),
    Form(
        PARTICIPATION_FORM,
        "ClusterParticipationRegistered",
        "Đăng ký tham gia hoạt động của cụm",
        SCHOOL,
        (
            Field(
                ("activities",),
                "Các hoạt động của cụm đăng ký tham gia (mỗi dòng một hoạt động)",
                LINES,
                longest=500,
            ),
        ),
        reviewer=CLUSTER_HEAD,
    ),
    Form(
        INSPECTION_FORM,
        "InspectionDone",
        "Biên bản kiểm tra",
        CLUSTER_HEAD,
        structured=InspectionPayload,
        labels={
            "inspected_school_id": "Trường được kiểm tra",
            "inspecting_school_ids": "Trường tham gia kiểm tra",
            "cross_inspection": "Kiểm tra chéo",
            "inspected_on": "Ngày kiểm tra",
            "findings": "Kết quả kiểm tra",
            "verified_scores": "Điểm thẩm định",
        },
        repeatable=True,
    ),
    Form(
        MID_YEAR_REVIEW_FORM,
        "MidYearReviewHeld",
        "Hội nghị sơ kết 6 tháng",
        CLUSTER_HEAD,
        (
            Field(("held_on",), "Ngày tổ chức hội nghị sơ kết", DATE),
            Field(("summary",), "Dự thảo báo cáo sơ kết"),
        ),
    ),
    Form(
        MID_YEAR_REPORT_FORM,
        "MidYearReportFiled",
        "Báo cáo sơ kết 6 tháng",
        CLUSTER_HEAD,
        (Field(("summary",), "Báo cáo sơ kết 6 tháng đầu năm"),),
    ),
    Form(
        YEAR_END_REPORT_FORM,
        "YearEndReportSubmitted",
        "Mẫu số 04 – Báo cáo tổng kết phong trào thi đua và phụ lục",
        SCHOOL,
        (
            Field(("summary",), "Báo cáo tổng kết phong trào thi đua"),
            *(Field(("figures", key), label, INTEGER) for key, label in YEAR_END_FIGURES),
            Field(
                ("figures", "standard_school_goal_met"), "Hoàn thành mục tiêu xây dựng trường chuẩn", CHECKBOX
            ),
        ),
        labels={"figures": "Phụ lục số liệu"},
        reviewer=CLUSTER_HEAD,
    ),
    Form(
        PROVINCIAL_SCORE_SHEET_FORM,
        "ScoreSheetSubmitted",
        "Mẫu số 5.1 – Phiếu chấm điểm thi đua (trường chính trị)",
        SCHOOL,
        structured=ScoreSheetPayload,
        labels=SCORE_LABELS,
        reviewer=CLUSTER_HEAD,
        school_kind="provincial",
    ),
    Form(
        MINISTRY_SCORE_SHEET_FORM,
        "ScoreSheetSubmitted",
        "Mẫu số 5.2 – Phiếu chấm điểm thi đua (trường bộ, ngành)",
        SCHOOL,
        structured=ScoreSheetPayload,
        labels=SCORE_LABELS,
        reviewer=CLUSTER_HEAD,
        school_kind="ministry",
    ),
    Form(
        CONFERENCE_FORM,
        "SummaryConferenceScheduled",
        "Kế hoạch, chương trình, giấy mời Hội nghị tổng kết",
        CLUSTER_HEAD,
        (
            Field(("held_on",), "Ngày tổ chức hội nghị tổng kết", DATE),
            Field(("venue",), "Địa điểm", TEXT),
            Field(("programme",), "Kế hoạch, chương trình hội nghị"),
        ),
    ),
    Form(
        DOSSIER_FORM,
        "ClusterDossierFiled",
        "Hồ sơ tổng kết của cụm (Mẫu số 06, 07, 08, 09)",
        CLUSTER_HEAD,
        structured=DossierPayload,
        labels={
            "report_06": "Mẫu số 06 – Báo cáo tổng kết",
            "minutes_07": "Mẫu số 07 – Biên bản hội nghị",
            "ballots": "Kết quả bỏ phiếu",
            "score_table": "Bảng tổng hợp điểm",
            "proposals_08": "Mẫu số 08 – Đề nghị khen thưởng",
            "nomination": "Đề cử Cụm trưởng, Cụm phó năm sau",
        },
    ),
)

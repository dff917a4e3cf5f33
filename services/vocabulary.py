"""The suite's shared vocabulary, in one place for publishers and consumers: topics, forms, filing fields.

A name here is part of the suite's published contract: renaming one is a change of every service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields

REGISTRY_TOPIC = "thidua.registry.events"
SUBMISSIONS_TOPIC = "thidua.submissions.events"
SCORING_TOPIC = "thidua.scoring.events"
SUITE_TOPICS = (REGISTRY_TOPIC, SUBMISSIONS_TOPIC, SCORING_TOPIC)
"""The topics the suite's own services publish, in the order the year flows through them."""

INTEGRATION_TOPIC = "thidua.integration.inbound"
"""The inbound topics' common name: each provincial or ministry system writes its own, ``<this>.<CODE>``."""
INBOUND_PREFIX = f"{INTEGRATION_TOPIC}."
"""What every provincial or ministry system's own inbound topic starts with."""


def inbound_topic(code: str) -> str:
    """Return the inbound topic of one system: only that system's Kafka principal may write it."""
    return f"{INBOUND_PREFIX}{code}"


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

FORM_EVENTS = {
    PLAN_FORM: "PlanSubmitted",
    CLUSTER_PLAN_FORM: "ClusterPlanFiled",
    OFFICERS_FORM: "OfficersListed",
    LAUNCH_FORM: "ClusterCampaignLaunched",
    PARTICIPATION_FORM: "ClusterParticipationRegistered",
    INSPECTION_FORM: "InspectionDone",
    MID_YEAR_REVIEW_FORM: "MidYearReviewHeld",
    MID_YEAR_REPORT_FORM: "MidYearReportFiled",
    YEAR_END_REPORT_FORM: "YearEndReportSubmitted",
    PROVINCIAL_SCORE_SHEET_FORM: "ScoreSheetSubmitted",
    MINISTRY_SCORE_SHEET_FORM: "ScoreSheetSubmitted",
    CONFERENCE_FORM: "SummaryConferenceScheduled",
    DOSSIER_FORM: "ClusterDossierFiled",
}
"""The event each form's filing produces (the two score sheets share one), in the order of the year."""

FORM_TITLES = {
    PLAN_FORM: "Mẫu số 01 – Kế hoạch triển khai phong trào thi đua và đăng ký thi đua",
    CLUSTER_PLAN_FORM: "Mẫu số 02 – Kế hoạch hoạt động thi đua của cụm",
    OFFICERS_FORM: "Mẫu số 03 – Danh sách cán bộ phụ trách thi đua của các trường trong cụm",
    LAUNCH_FORM: "Phát động phong trào thi đua của cụm",
    PARTICIPATION_FORM: "Đăng ký tham gia hoạt động của cụm",
    INSPECTION_FORM: "Biên bản kiểm tra",
    MID_YEAR_REVIEW_FORM: "Hội nghị sơ kết 6 tháng",
    MID_YEAR_REPORT_FORM: "Báo cáo sơ kết 6 tháng",
    YEAR_END_REPORT_FORM: "Mẫu số 04 – Báo cáo tổng kết phong trào thi đua và phụ lục",
    PROVINCIAL_SCORE_SHEET_FORM: "Mẫu số 5.1 – Phiếu chấm điểm thi đua (trường chính trị)",
    MINISTRY_SCORE_SHEET_FORM: "Mẫu số 5.2 – Phiếu chấm điểm thi đua (trường bộ, ngành)",
    CONFERENCE_FORM: "Kế hoạch, chương trình, giấy mời Hội nghị tổng kết",
    DOSSIER_FORM: "Hồ sơ tổng kết của cụm (Mẫu số 06, 07, 08, 09)",
}
"""Each form's name as the letter gives it, for every page, notice and export that names a form."""


def form_title(code: str) -> str:
    """Return a form's name (its code when the suite does not know it)."""
    return FORM_TITLES.get(code, code)


AWARD_NAMES = {"co_thi_dua": "Cờ thi đua của Học viện", "bang_khen": "Bằng khen của Giám đốc Học viện"}
"""The awards a cluster proposes, as the letter names them."""
PROPOSAL_STATES = {
    "proposed": "Được đề nghị",
    "awaiting_vote": "Chờ bỏ phiếu",
    "rejected_by_vote": "Không đủ số phiếu",
}
"""Where a proposal stands after the conference's vote."""


FILING_EVENTS = tuple(dict.fromkeys(FORM_EVENTS.values()))
"""The events of filings, in form order: consumers take this list, so a new form reaches them too."""
AMENDED = "SubmissionAmended"
FILER_TYPES = ("school", "cluster")


def filing_fields() -> dict[str, fields.Field]:
    """Return the fields of a filing event that consumers read (checked on receipt; the rest pass)."""
    text = fields.String(required=True)
    return {
        "submission_id": text,
        "year": fields.Integer(required=True),
        "form": text,
        "filer_type": text,
        "filer_id": text,
        "cluster_id": text,
        "payload": fields.Dict(required=True),
    }


def with_deadline_extended(content: Mapping[str, Any], extension: Mapping[str, Any]) -> dict[str, Any]:
    """Return a campaign's content after a DeadlineExtended: one rule for every reader."""
    deadlines = [
        {**d, "due": extension["due"]} if d["code"] == extension["deadline_code"] else d
        for d in content["deadlines"]
    ]
    return {**content, "deadlines": deadlines}

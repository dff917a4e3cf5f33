"""What notifications consumes: every topic for the audit trail and webhooks, and (tolerantly) the
events that make reminders, receipts, overdue, results and ineligibility notices."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from shared.catalogue import Catalogue, EventType

REGISTRY_TOPIC = "thidua.registry.events"
SUBMISSIONS_TOPIC = "thidua.submissions.events"
SCORING_TOPIC = "thidua.scoring.events"
AUDITED_TOPICS = (REGISTRY_TOPIC, SUBMISSIONS_TOPIC, SCORING_TOPIC)
FILING_EVENTS = (
    "PlanSubmitted",
    "ClusterPlanFiled",
    "OfficersListed",
    "ClusterCampaignLaunched",
    "ClusterParticipationRegistered",
    "InspectionDone",
    "MidYearReviewHeld",
    "MidYearReportFiled",
    "YearEndReportSubmitted",
    "ScoreSheetSubmitted",
    "SummaryConferenceScheduled",
    "ClusterDossierFiled",
)


class _Tolerant(Schema):
    class Meta:
        unknown = INCLUDE


def _consumed(event: str, topic: str, **needed: fields.Field) -> EventType:
    return EventType(event, 1, _Tolerant.from_dict(needed, name=f"Notify{event}"), topic)


_str = fields.String(required=True)
_int = fields.Integer(required=True)
_filing: dict[str, fields.Field] = {
    "submission_id": _str,
    "year": _int,
    "form": _str,
    "filer_type": _str,
    "filer_id": _str,
    "payload": fields.Dict(required=True),
}
CATALOGUE = Catalogue(
    _consumed(
        "CampaignOpened", REGISTRY_TOPIC, year=_int, deadlines=fields.List(fields.Dict(), required=True)
    ),
    _consumed(
        "CampaignAmended", REGISTRY_TOPIC, year=_int, deadlines=fields.List(fields.Dict(), required=True)
    ),
    _consumed("DeadlineExtended", REGISTRY_TOPIC, year=_int, deadline_code=_str, due=_str),
    _consumed("SchoolRegistered", REGISTRY_TOPIC, school_id=_str, code=_str, name=_str),
    _consumed("SchoolJoinedCluster", REGISTRY_TOPIC, year=_int, school_id=_str, cluster_id=_str),
    _consumed("ClusterLeadershipAssigned", REGISTRY_TOPIC, year=_int, cluster_id=_str, head_school_id=_str),
    *(_consumed(name, SUBMISSIONS_TOPIC, **_filing) for name in FILING_EVENTS),
    _consumed("SubmissionAmended", SUBMISSIONS_TOPIC, **_filing),
    _consumed("FilingExempted", SUBMISSIONS_TOPIC, year=_int, deadline_code=_str, filer_id=_str),
    _consumed(
        "DeadlineMissed",
        SUBMISSIONS_TOPIC,
        year=_int,
        deadline_code=_str,
        filer_type=_str,
        filer_id=_str,
        due=_str,
    ),
    _consumed("SchoolDeclaredIneligible", SUBMISSIONS_TOPIC, year=_int, school_id=_str, reason=_str),
    _consumed(
        "ScoresComputed",
        SCORING_TOPIC,
        year=_int,
        cluster_id=_str,
        revision=_int,
        table=fields.List(fields.Dict(), required=True),
    ),
)

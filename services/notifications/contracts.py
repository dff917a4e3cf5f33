"""What notifications consumes: every topic for the audit trail and webhooks, and (tolerantly) the
events that make reminders, receipts, overdue, results and ineligibility notices."""

from __future__ import annotations

from marshmallow import fields

from services.forms import filing_events
from services.vocabulary import (
    AMENDED,
    REGISTRY_TOPIC,
    SCORING_TOPIC,
    SUBMISSIONS_TOPIC,
    SUITE_TOPICS,
    filing_fields,
)
from shared.catalogue import Catalogue, consumed_event

AUDITED_TOPICS = SUITE_TOPICS
CATALOGUE = Catalogue()
"""What notifications publishes: nothing (it tells people, not services)."""


_str = fields.String(required=True)
_int = fields.Integer(required=True)
_filing = filing_fields()
CONSUMED = Catalogue(
    consumed_event(
        "CampaignOpened", REGISTRY_TOPIC, year=_int, deadlines=fields.List(fields.Dict(), required=True)
    ),
    consumed_event(
        "CampaignAmended", REGISTRY_TOPIC, year=_int, deadlines=fields.List(fields.Dict(), required=True)
    ),
    consumed_event("DeadlineExtended", REGISTRY_TOPIC, year=_int, deadline_code=_str, due=_str),
    consumed_event("SchoolRegistered", REGISTRY_TOPIC, school_id=_str, code=_str, name=_str),
    consumed_event("SchoolJoinedCluster", REGISTRY_TOPIC, year=_int, school_id=_str, cluster_id=_str),
    consumed_event("ClusterFormed", REGISTRY_TOPIC, year=_int, cluster_id=_str, name=_str),
    consumed_event(
        "ClusterLeadershipAssigned", REGISTRY_TOPIC, year=_int, cluster_id=_str, head_school_id=_str
    ),
    *(consumed_event(name, SUBMISSIONS_TOPIC, **_filing) for name in filing_events()),
    consumed_event(AMENDED, SUBMISSIONS_TOPIC, **_filing),
    consumed_event("FilingExempted", SUBMISSIONS_TOPIC, year=_int, deadline_code=_str, filer_id=_str),
    *(
        consumed_event(
            name,
            SUBMISSIONS_TOPIC,
            submission_id=_str,
            year=_int,
            form=_str,
            filer_type=_str,
            filer_id=_str,
            reviewer=_str,
        )
        for name in ("FilingAccepted", "FilingReturned")
    ),
    consumed_event(
        "DeadlineMissed",
        SUBMISSIONS_TOPIC,
        year=_int,
        deadline_code=_str,
        filer_type=_str,
        filer_id=_str,
        due=_str,
    ),
    consumed_event("SchoolDeclaredIneligible", SUBMISSIONS_TOPIC, year=_int, school_id=_str, reason=_str),
    consumed_event("PersonalDataErased", SUBMISSIONS_TOPIC, subject_id=_str),
    consumed_event(
        "ScoresComputed",
        SCORING_TOPIC,
        year=_int,
        cluster_id=_str,
        revision=_int,
        table=fields.List(fields.Dict(), required=True),
    ),
    consumed_event(
        "AwardDecisionCorrected",
        REGISTRY_TOPIC,
        year=_int,
        decision_id=_str,
        reason=_str,
        before=fields.Dict(required=True),
        after=fields.Dict(required=True),
        school_ids=fields.List(fields.String(), required=True),
        cluster_ids=fields.List(fields.String(), required=True),
    ),
    consumed_event(
        "AwardRevoked",
        REGISTRY_TOPIC,
        year=_int,
        school_id=_str,
        cluster_id=_str,
        award=_str,
        reason=_str,
        legal_basis=_str,
    ),
    consumed_event(
        "AwardsDecided",
        REGISTRY_TOPIC,
        year=_int,
        number=_str,
        signed_on=_str,
        verdicts=fields.List(fields.Dict(), required=True),
    ),
)

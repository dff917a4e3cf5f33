"""The registry's state tables as a function of its events: one apply per event type.

Handlers call ``apply`` for every event they append, in the same transaction, so the tables never
disagree with the events (and can be rebuilt from them).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from services.registry.tables import (
    awards,
    campaigns,
    cluster_members,
    clusters,
    decision_drafts,
    decision_papers,
    decisions,
    nominations,
    schools,
)
from services.vocabulary import extend_kept_deadline
from shared.envelope import Envelope
from shared.handlers import Handlers
from shared.service import State

HANDLERS: Handlers[None] = Handlers("registry-state")


def _day(value: str) -> date:
    return date.fromisoformat(value)


@HANDLERS.on("SchoolRegistered")
def school_registered(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add the school."""
    row = {
        **data,
        "valid_from": _day(data["valid_from"]),
        "version": event.stream_version,
        "status": "active",
    }
    conn.execute(schools.insert().values(**row))


@HANDLERS.on("SchoolUpdated")
def school_updated(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Change the given details."""
    changes = {k: v for k, v in data.items() if k != "school_id"}
    conn.execute(
        schools.update()
        .where(schools.c.school_id == data["school_id"])
        .values(**changes, version=event.stream_version)
    )


@HANDLERS.on("SchoolDeactivated")
def school_deactivated(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Mark the school inactive from its end date."""
    conn.execute(
        schools.update()
        .where(schools.c.school_id == data["school_id"])
        .values(status="deactivated", valid_to=_day(data["valid_to"]), version=event.stream_version)
    )


@HANDLERS.on("SchoolsMerged")
def schools_merged(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Close each predecessor the day before the merge and point it at its successor (whose stream it is)."""
    effective = _day(data["effective_date"])
    conn.execute(
        schools.update()
        .where(schools.c.school_id.in_(data["predecessor_ids"]))
        .values(
            status="merged",
            valid_to=effective - timedelta(days=1),
            successor_id=data["successor_id"],
            merge_basis=data["legal_basis"],
        )
    )
    conn.execute(
        schools.update()
        .where(schools.c.school_id == data["successor_id"])
        .values(version=event.stream_version)
    )


@HANDLERS.on("ClusterFormed")
def cluster_formed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add the cluster, with no members yet."""
    conn.execute(
        clusters.insert().values(
            **data, head_school_id=None, deputy_school_ids=[], version=event.stream_version
        )
    )


@HANDLERS.on("SchoolJoinedCluster")
def school_joined_cluster(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add the membership for the year."""
    conn.execute(cluster_members.insert().values(**data))
    _cluster_version(conn, data["cluster_id"], event.stream_version)


@HANDLERS.on("SchoolLeftCluster")
def school_left_cluster(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Remove the membership for the year; a role it still held (only after a merger) falls vacant."""
    conn.execute(
        cluster_members.delete().where(
            (cluster_members.c.year == data["year"]) & (cluster_members.c.school_id == data["school_id"])
        )
    )
    _cluster_version(conn, data["cluster_id"], event.stream_version)
    row = conn.execute(
        sa.select(clusters.c.head_school_id, clusters.c.deputy_school_ids).where(
            clusters.c.cluster_id == data["cluster_id"]
        )
    ).first()
    if row is not None and (
        row.head_school_id == data["school_id"] or data["school_id"] in (row.deputy_school_ids or [])
    ):
        conn.execute(
            clusters.update()
            .where(clusters.c.cluster_id == data["cluster_id"])
            .values(
                head_school_id=None if row.head_school_id == data["school_id"] else row.head_school_id,
                deputy_school_ids=[d for d in row.deputy_school_ids or [] if d != data["school_id"]],
            )
        )


@HANDLERS.on("ClusterLeadershipAssigned")
def cluster_leadership_assigned(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Set the head and deputies."""
    conn.execute(
        clusters.update()
        .where(clusters.c.cluster_id == data["cluster_id"])
        .values(
            head_school_id=data["head_school_id"],
            deputy_school_ids=data["deputy_school_ids"],
            version=event.stream_version,
        )
    )


@HANDLERS.on("CampaignOpened")
def campaign_opened(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Add the year's campaign."""
    conn.execute(campaigns.insert().values(year=data["year"], content=data, version=event.stream_version))


@HANDLERS.on("CampaignAmended")
def campaign_amended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Replace the campaign's content."""
    conn.execute(
        campaigns.update()
        .where(campaigns.c.year == data["year"])
        .values(content=data, version=event.stream_version)
    )


@HANDLERS.on("DeadlineExtended")
def deadline_extended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Move one deadline of the campaign."""
    extend_kept_deadline(conn, campaigns, data, version=event.stream_version)


@HANDLERS.on("NextYearLeadershipNominated")
def next_year_leadership_nominated(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Keep the latest nomination of the cluster (a confirmation already made stays)."""
    values = {
        "year": data["year"],
        "head_school_id": data["head_school_id"],
        "deputy_school_ids": data["deputy_school_ids"],
        "submission_id": data["submission_id"],
    }
    where = nominations.c.cluster_id == data["cluster_id"]
    if conn.execute(nominations.update().where(where).values(**values)).rowcount == 0:
        conn.execute(nominations.insert().values(cluster_id=data["cluster_id"], **values))
    _cluster_version(conn, data["cluster_id"], event.stream_version)


@HANDLERS.on("NextYearLeadershipConfirmed")
def next_year_leadership_confirmed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Record the Academy's confirmation (with or without a nomination before it)."""
    values = {
        "confirmed_head_school_id": data["head_school_id"],
        "confirmed_deputy_school_ids": data["deputy_school_ids"],
        "decision": data["decision"],
    }
    where = nominations.c.cluster_id == data["cluster_id"]
    if conn.execute(nominations.update().where(where).values(**values)).rowcount == 0:
        conn.execute(
            nominations.insert().values(
                cluster_id=data["cluster_id"], year=data["year"], deputy_school_ids=[], **values
            )
        )
    _cluster_version(conn, data["cluster_id"], event.stream_version)


def _cluster_version(conn: sa.Connection, cluster_id: str, version: int) -> None:
    conn.execute(clusters.update().where(clusters.c.cluster_id == cluster_id).values(version=version))


@HANDLERS.on("AwardDecisionDraftSaved")
def decision_draft_saved(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Keep a decision's draft as last saved."""
    row = {**data, "signed_on": _day(data["signed_on"]) if data.get("signed_on") else None}
    conn.execute(decision_drafts.delete().where(decision_drafts.c.decision_id == data["decision_id"]))
    conn.execute(decision_drafts.insert().values(**row))


@HANDLERS.on("AwardsDecided")
def awards_decided(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Keep an issued decision: its particulars and every verdict; its draft is done with."""
    row = {"kind": "main", **data, "signed_on": _day(data["signed_on"]), "corrections": []}
    conn.execute(decisions.insert().values(**row))
    conn.execute(decision_drafts.delete().where(decision_drafts.c.decision_id == data["decision_id"]))


@HANDLERS.on("AwardGranted")
def award_granted(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Enter the award in the register, under the name it was given to."""
    row = {k: v for k, v in data.items() if k != "school_code"}
    conn.execute(awards.insert().values(**{**row, "signed_on": _day(data["signed_on"])}))


@HANDLERS.on("AwardDecisionCorrected")
def decision_corrected(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Read a decision's particulars as corrected, keeping the correction beside it (and in the register)."""
    where = decisions.c.decision_id == data["decision_id"]
    found = conn.execute(sa.select(decisions.c.corrections).where(where)).scalar_one()
    after = {k: _day(v) if k == "signed_on" else v for k, v in data["after"].items()}
    kept = {**data, "corrected_at": event.time.isoformat()}
    conn.execute(decisions.update().where(where).values(**after, corrections=[*found, kept]))
    conn.execute(decisions.update().where(where).values(paper_sha256=data.get("paper_sha256")))
    register = {k: v for k, v in after.items() if k in ("number", "signed_on")}
    if register:
        conn.execute(awards.update().where(awards.c.decision_id == data["decision_id"]).values(**register))


@HANDLERS.on("DecisionPaperSigned")
def decision_paper_signed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Keep a decision's signed PDF as last signed."""
    conn.execute(decision_papers.delete().where(decision_papers.c.decision_id == data["decision_id"]))
    conn.execute(decision_papers.insert().values(**data))


@HANDLERS.on("AwardRevoked")
def award_revoked(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
    """Mark the award revoked in the register, with its reason and legal ground."""
    conn.execute(
        awards.update()
        .where(
            (awards.c.year == data["year"])
            & (awards.c.school_id == data["school_id"])
            & (awards.c.award == data["award"])
        )
        .values(revoked_reason=data["reason"], revoked_basis=data["legal_basis"])
    )


STATE = State(
    HANDLERS,
    (
        schools,
        clusters,
        cluster_members,
        campaigns,
        nominations,
        decision_drafts,
        decisions,
        decision_papers,
        awards,
    ),
)
"""The state tables the registry decides from, kept in the transaction of each append, rebuildable."""

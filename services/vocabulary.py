"""The suite's shared vocabulary, in one place for publishers and consumers: topics, awards, filing fields.

The forms themselves are declared in :mod:`services.forms`.

A name here is part of the suite's published contract: renaming one is a change of every service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
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


OUTBOUND_PREFIX = "thidua.integration.outbound."
"""What every provincial or ministry system's own outbound topic starts with: the suite writes there
the events of that system's schools (an award granted), and only that system's principal reads it."""


def outbound_topic(code: str) -> str:
    """Return the outbound topic of one system: what the suite tells it about its own schools."""
    return f"{OUTBOUND_PREFIX}{code}"


FILING_STATES = {
    "missing": "Chưa nộp",
    "on_time": "Đúng hạn",
    "late": "Muộn",
    "amended": "Đã sửa",
    "exempt": "Được miễn",
}
"""A status board cell's state, as every page that shows one names it."""

REVIEW_NAMES = {"pending": "Chờ tiếp nhận", "accepted": "Đã tiếp nhận", "returned": "Trả lại để bổ sung"}
"""How the receiving level has taken a filing, as every page and export names it."""

AWARD_NAMES = {"co_thi_dua": "Cờ thi đua của Học viện", "bang_khen": "Bằng khen của Giám đốc Học viện"}
"""The awards a cluster proposes, as the letter names them."""
PROPOSAL_STATES = {
    "proposed": "Được đề nghị",
    "awaiting_vote": "Chờ bỏ phiếu",
    "rejected_by_vote": "Không đủ số phiếu",
}
"""Where a proposal stands after the conference's vote."""


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
    """Return a campaign's content after a DeadlineExtended: one rule for every reader.

    An extension for everyone moves the deadline's ``due``; one for a single filer (``filer_id``) is kept
    in the deadline's ``extended_for`` (filer id → due), and that filer's due is the later of the two.
    """

    def extended(deadline: dict[str, Any]) -> dict[str, Any]:
        if deadline["code"] != extension["deadline_code"]:
            return deadline
        filer_id = extension.get("filer_id")
        if filer_id is None:
            return {**deadline, "due": extension["due"]}
        return {**deadline, "extended_for": {**deadline.get("extended_for", {}), filer_id: extension["due"]}}

    return {**content, "deadlines": [extended(d) for d in content["deadlines"]]}


def due_for(deadline: Mapping[str, Any], filer_id: str | None = None) -> date:
    """Return the day a filer must file a deadline by: the deadline's, or its own extension if later."""
    due = day_of(deadline["due"])
    own = deadline.get("extended_for", {}).get(filer_id) if filer_id else None
    return max(due, day_of(own)) if own else due


def day_of(value: Any) -> date:
    """Return a day given as a date or as its ISO text (a campaign's days, kept as JSON)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def extend_kept_deadline(
    conn: sa.Connection, campaigns: sa.Table, extension: Mapping[str, Any], **also: Any
) -> bool:
    """Apply a DeadlineExtended to a kept table of campaigns (year, content); False if none is kept."""
    where = campaigns.c.year == extension["year"]
    content = conn.execute(sa.select(campaigns.c.content).where(where)).scalar()
    if content is None:
        return False
    conn.execute(
        campaigns.update().where(where).values(content=with_deadline_extended(content, extension), **also)
    )
    return True

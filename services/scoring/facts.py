"""The facts scoring keeps from registry and submissions events: one apply per event type.

Each apply returns what it affects: ``(year, cluster_id)``, with ``cluster_id`` None when every
cluster of the year is affected (a campaign change), or None when no result depends on it yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from services.scoring.contracts import FILING_EVENTS
from services.scoring.tables import campaigns, exemptions, filings, ineligible, members, missed, schools

Affected = tuple[int, str | None] | None
Apply = Callable[[sa.Connection, dict[str, Any]], Affected]


def _upsert(conn: sa.Connection, table: sa.Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    where = sa.and_(*(table.c[k] == v for k, v in keys.items()))
    if conn.execute(table.update().where(where).values(**values)).rowcount == 0:
        conn.execute(table.insert().values(**keys, **values))


def _insert_once(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> None:
    where = sa.and_(*(table.c[k] == v for k, v in row.items()))
    if conn.execute(sa.select(sa.literal(1)).select_from(table).where(where)).first() is None:
        conn.execute(table.insert().values(**row))


def _cluster_of(conn: sa.Connection, year: int, school_id: str) -> str | None:
    query = sa.select(members.c.cluster_id).where(
        (members.c.year == year) & (members.c.school_id == school_id)
    )
    return conn.execute(query).scalar()


def campaign(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep the year's campaign content (its templates, deadlines and rules)."""
    _upsert(conn, campaigns, {"year": data["year"]}, {"content": data})
    return data["year"], None


def deadline_extended(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Move a deadline of a kept campaign."""
    content = conn.execute(sa.select(campaigns.c.content).where(campaigns.c.year == data["year"])).scalar()
    if content is None:
        return None
    deadlines = [
        {**d, "due": data["due"]} if d["code"] == data["deadline_code"] else d for d in content["deadlines"]
    ]
    _upsert(conn, campaigns, {"year": data["year"]}, {"content": {**content, "deadlines": deadlines}})
    return data["year"], None


def school_registered(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep a school's kind and name."""
    values = {"code": data["code"], "name": data["name"], "kind": data["kind"]}
    _upsert(conn, schools, {"school_id": data["school_id"]}, values)
    return None


def joined(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep a membership."""
    _upsert(
        conn,
        members,
        {"year": data["year"], "school_id": data["school_id"]},
        {"cluster_id": data["cluster_id"]},
    )
    return data["year"], data["cluster_id"]


def left(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Drop a membership."""
    conn.execute(
        members.delete().where((members.c.year == data["year"]) & (members.c.school_id == data["school_id"]))
    )
    return data["year"], data["cluster_id"]


def filed(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep a filing (or its amendment: the latest content replaces the earlier one)."""
    values = {
        "year": data["year"],
        "form": data["form"],
        "filer_id": data["filer_id"],
        "cluster_id": data["cluster_id"],
        "deadline_code": data.get("deadline_code"),
        "on_time": data.get("on_time"),
        "filed_at": str(data.get("filed_at", "")),
        "payload": data["payload"],
    }
    existing = conn.execute(
        sa.select(filings.c.on_time, filings.c.filed_at).where(
            filings.c.submission_id == data["submission_id"]
        )
    ).first()
    if existing is not None:  # an amendment keeps the original stamp
        values.update(on_time=existing.on_time, filed_at=existing.filed_at)
    _upsert(conn, filings, {"submission_id": data["submission_id"]}, values)
    return data["year"], data["cluster_id"]


def deadline_missed(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep a miss."""
    _insert_once(
        conn,
        missed,
        {"year": data["year"], "deadline_code": data["deadline_code"], "filer_id": data["filer_id"]},
    )
    return data["year"], data["cluster_id"]


def exempted(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep an exemption."""
    row = {"year": data["year"], "deadline_code": data["deadline_code"], "filer_id": data["filer_id"]}
    _insert_once(conn, exemptions, row)
    return data["year"], _cluster_of(conn, data["year"], data["filer_id"]) or data["filer_id"]


def declared_ineligible(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Keep an ineligibility."""
    _insert_once(conn, ineligible, {"year": data["year"], "school_id": data["school_id"]})
    return data["year"], _cluster_of(conn, data["year"], data["school_id"])


def eligibility_restored(conn: sa.Connection, data: dict[str, Any]) -> Affected:
    """Drop an ineligibility."""
    conn.execute(
        ineligible.delete().where(
            (ineligible.c.year == data["year"]) & (ineligible.c.school_id == data["school_id"])
        )
    )
    return data["year"], _cluster_of(conn, data["year"], data["school_id"])


APPLY: dict[str, Apply] = {
    "CampaignOpened": campaign,
    "CampaignAmended": campaign,
    "DeadlineExtended": deadline_extended,
    "SchoolRegistered": school_registered,
    "SchoolJoinedCluster": joined,
    "SchoolLeftCluster": left,
    **dict.fromkeys(FILING_EVENTS, filed),
    "SubmissionAmended": filed,
    "DeadlineMissed": deadline_missed,
    "FilingExempted": exempted,
    "SchoolDeclaredIneligible": declared_ineligible,
    "EligibilityRestored": eligibility_restored,
}

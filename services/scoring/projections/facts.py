"""The facts scoring keeps from registry and submissions events: one apply per event type.

Each apply returns what it affects: ``(year, cluster_id)``, with ``cluster_id`` None when every
cluster of the year is affected (a campaign change), or None when no result depends on it yet.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from services.forms import filing_events
from services.scoring.tables import campaigns, exemptions, filings, ineligible, members, missed, schools
from services.vocabulary import with_deadline_extended
from shared.envelope import Envelope
from shared.handlers import Handlers

Affected = tuple[int, str | None] | None
FACTS: Handlers[Affected] = Handlers("scoring-facts")


@functools.cache
def _statements(table: sa.Table, keys: tuple[str, ...], values: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """Build once the update, insert and existence query of a table for given key and value columns."""
    where = sa.and_(*(table.c[k] == sa.bindparam(f"k_{k}") for k in keys))
    update = (
        table.update().where(where).values({v: sa.bindparam(f"v_{v}") for v in values}) if values else None
    )
    insert = table.insert().values(
        {c: sa.bindparam(f"{'k' if c in keys else 'v'}_{c}") for c in (*keys, *values)}
    )
    exists = sa.select(sa.literal(1)).select_from(table).where(where)
    return update, insert, exists


def _params(keys: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**{f"k_{k}": v for k, v in keys.items()}, **{f"v_{k}": v for k, v in values.items()}}


def _upsert(conn: sa.Connection, table: sa.Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    upsert_many(conn, table, tuple(keys), [{**keys, **values}])


def _insert_once(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> None:
    _update, insert, exists = _statements(table, tuple(row), ())
    params = _params(row, {})
    if conn.execute(exists, params).first() is None:
        conn.execute(insert, params)


def _cluster_of(conn: sa.Connection, year: int, school_id: str) -> str | None:
    query = sa.select(members.c.cluster_id).where(
        (members.c.year == year) & (members.c.school_id == school_id)
    )
    return conn.execute(query).scalar()


@FACTS.on("CampaignOpened", "CampaignAmended")
def campaign(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep the year's campaign content (its templates, deadlines and rules)."""
    _upsert(conn, campaigns, {"year": data["year"]}, {"content": data})
    return data["year"], None


@FACTS.on("DeadlineExtended")
def deadline_extended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Move a deadline of a kept campaign."""
    content = conn.execute(sa.select(campaigns.c.content).where(campaigns.c.year == data["year"])).scalar()
    if content is None:
        return None
    _upsert(conn, campaigns, {"year": data["year"]}, {"content": with_deadline_extended(content, data)})
    return data["year"], None


@FACTS.on("SchoolRegistered")
def school_registered(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep a school's kind and name."""
    values = {"code": data["code"], "name": data["name"], "kind": data["kind"]}
    _upsert(conn, schools, {"school_id": data["school_id"]}, values)
    return None


@FACTS.on("SchoolJoinedCluster")
def joined(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep a membership."""
    _upsert(
        conn,
        members,
        {"year": data["year"], "school_id": data["school_id"]},
        {"cluster_id": data["cluster_id"]},
    )
    return data["year"], data["cluster_id"]


@FACTS.on("SchoolLeftCluster")
def left(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Drop a membership."""
    conn.execute(
        members.delete().where((members.c.year == data["year"]) & (members.c.school_id == data["school_id"]))
    )
    return data["year"], data["cluster_id"]


@FACTS.on(*filing_events(), "SubmissionAmended")
def filed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep a filing (or its amendment: the latest content and stamp in force replace the earlier ones)."""
    (affected,) = filed_many(conn, [data])
    return affected


def filed_many(conn: sa.Connection, batch: Sequence[dict[str, Any]]) -> set[tuple[int, str | None]]:
    """Keep many filings at once: the same result as ``filed`` for each, in order, with a few statements."""
    folded: dict[str, dict[str, Any]] = {}
    for data in batch:
        values = _filing_values(data)
        if data["submission_id"] in folded:  # an amendment within the batch keeps the first filing time
            values.update(filed_at=folded[data["submission_id"]]["filed_at"])
        folded[data["submission_id"]] = values
    existing = {
        row.submission_id: row
        for row in conn.execute(
            sa.select(filings.c.submission_id, filings.c.filed_at).where(filings.c.submission_id.in_(folded))
        )
    }
    update, insert, _exists = _statements(filings, ("submission_id",), tuple(_FILING_COLUMNS))
    updates, inserts = [], []
    for submission_id, values in folded.items():
        if submission_id in existing:
            values.update(filed_at=existing[submission_id].filed_at)
            updates.append(_params({"submission_id": submission_id}, values))
        else:
            inserts.append(_params({"submission_id": submission_id}, values))
    if updates:
        conn.execute(update, updates)
    if inserts:
        conn.execute(insert, inserts)
    return {(v["year"], v["cluster_id"]) for v in folded.values()}


_FILING_COLUMNS = (
    "year",
    "form",
    "filer_id",
    "cluster_id",
    "deadline_code",
    "on_time",
    "filed_at",
    "payload",
)


def _filing_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": data["year"],
        "form": data["form"],
        "filer_id": data["filer_id"],
        "cluster_id": data["cluster_id"],
        "deadline_code": data.get("deadline_code"),
        "on_time": data.get("on_time"),
        "filed_at": str(data.get("filed_at", "")),
        "payload": data["payload"],
    }


def upsert_many(
    conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert or update many rows of a table at once (the last row of a key wins), with a few statements."""
    latest = {tuple(row[k] for k in keys): row for row in rows}
    first = keys[0]
    existing = {
        tuple(found)
        for found in conn.execute(
            sa.select(*(table.c[k] for k in keys)).where(table.c[first].in_({key[0] for key in latest}))
        )
    }
    values = tuple(c for c in rows[0] if c not in keys)
    update, insert, _exists = _statements(table, keys, values)
    changes: dict[str, list[dict[str, Any]]] = {"update": [], "insert": []}
    for key, row in latest.items():
        params = _params({k: row[k] for k in keys}, {v: row[v] for v in values})
        changes["update" if key in existing else "insert"].append(params)
    if changes["update"]:
        conn.execute(update, changes["update"])
    if changes["insert"]:
        conn.execute(insert, changes["insert"])


BULK = {
    "SchoolRegistered": (
        schools,
        ("school_id",),
        lambda d: {"school_id": d["school_id"], "code": d["code"], "name": d["name"], "kind": d["kind"]},
    ),
    "SchoolJoinedCluster": (
        members,
        ("year", "school_id"),
        lambda d: {"year": d["year"], "school_id": d["school_id"], "cluster_id": d["cluster_id"]},
    ),
}
"""Event types whose facts a batch may write at once: each is an upsert by key, so only the last counts."""


@FACTS.on("DeadlineMissed")
def deadline_missed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep a miss."""
    _insert_once(
        conn,
        missed,
        {"year": data["year"], "deadline_code": data["deadline_code"], "filer_id": data["filer_id"]},
    )
    return data["year"], data["cluster_id"]


@FACTS.on("FilingExempted")
def exempted(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep an exemption."""
    row = {"year": data["year"], "deadline_code": data["deadline_code"], "filer_id": data["filer_id"]}
    _insert_once(conn, exemptions, row)
    return data["year"], _cluster_of(conn, data["year"], data["filer_id"]) or data["filer_id"]


@FACTS.on("SchoolDeclaredIneligible")
def declared_ineligible(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Keep an ineligibility."""
    _insert_once(conn, ineligible, {"year": data["year"], "school_id": data["school_id"]})
    return data["year"], _cluster_of(conn, data["year"], data["school_id"])


@FACTS.on("EligibilityRestored")
def eligibility_restored(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
    """Drop an ineligibility."""
    conn.execute(
        ineligible.delete().where(
            (ineligible.c.year == data["year"]) & (ineligible.c.school_id == data["school_id"])
        )
    )
    return data["year"], _cluster_of(conn, data["year"], data["school_id"])

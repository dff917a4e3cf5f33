"""The facts scoring keeps from registry and submissions events: one apply per event type.

Each apply returns what it affects: ``(year, cluster_id)``, with ``cluster_id`` None when every
cluster of the year is affected (a campaign change), or None when no result depends on it yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from services.forms import filing_events
from services.scoring.tables import campaigns, exemptions, filings, ineligible, members, missed, schools
from services.vocabulary import extend_kept_deadline
from shared.db import keyed_params, keyed_statements, upsert_many
from shared.envelope import Envelope
from shared.handlers import Handlers

Affected = tuple[int, str | None] | None
FACTS: Handlers[Affected] = Handlers("scoring-facts")


def _upsert(conn: sa.Connection, table: sa.Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    upsert_many(conn, table, tuple(keys), [{**keys, **values}])


def _insert_once(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> None:
    _update, insert, exists = keyed_statements(table, tuple(row), ())
    params = keyed_params(row, {})
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
    return (data["year"], None) if extend_kept_deadline(conn, campaigns, data) else None


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
    update, insert, _exists = keyed_statements(filings, ("submission_id",), tuple(_FILING_COLUMNS))
    updates, inserts = [], []
    for submission_id, values in folded.items():
        if submission_id in existing:
            values.update(filed_at=existing[submission_id].filed_at)
            updates.append(keyed_params({"submission_id": submission_id}, values))
        else:
            inserts.append(keyed_params({"submission_id": submission_id}, values))
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


KeyedRow = tuple[sa.Table, tuple[str, ...], Callable[[dict[str, Any]], dict[str, Any]]]
BULK: dict[str, KeyedRow] = {}
"""Event types whose fact is one row upserted by key: a batch writes a run of them at once (the last of a
key counts), one event alone the same way; both through ``upsert_many``."""


def _keyed(
    event_type: str, table: sa.Table, keys: tuple[str, ...], row: Callable[..., dict[str, Any]]
) -> None:
    """Declare an event type whose fact is one keyed row: its one write path, alone or in a batch."""
    BULK[event_type] = (table, keys, row)

    def apply(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Affected:
        upsert_many(conn, table, keys, [row(data)])
        return (data["year"], data["cluster_id"]) if "cluster_id" in data else None

    apply.__doc__ = f"Keep the row a {event_type} says, by its key."
    FACTS.on(event_type)(apply)


def keep_many(conn: sa.Connection, event_type: str, batch: Sequence[dict[str, Any]]) -> set[tuple[int, str]]:
    """Keep the rows of a run of events of one keyed type at once; return the (year, cluster) affected."""
    table, keys, row = BULK[event_type]
    upsert_many(conn, table, keys, [row(d) for d in batch])
    return {(d["year"], d["cluster_id"]) for d in batch if "cluster_id" in d}


_keyed(
    "SchoolRegistered",
    schools,
    ("school_id",),
    lambda d: {"school_id": d["school_id"], "code": d["code"], "name": d["name"], "kind": d["kind"]},
)
_keyed(
    "SchoolJoinedCluster",
    members,
    ("year", "school_id"),
    lambda d: {"year": d["year"], "school_id": d["school_id"], "cluster_id": d["cluster_id"]},
)


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

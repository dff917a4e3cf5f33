"""The status board: for a year (optionally one cluster), each filer by each required filing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from services.forms import DOSSIER_FORM
from services.sources import source_of
from services.submissions.app import lookups, visibility
from services.submissions.domain import review
from services.submissions.domain.deadlines import due_date
from services.submissions.domain.filings import may_amend
from services.submissions.service import Submissions
from services.submissions.tables import (
    clusters,
    confirmations,
    consumer_positions,
    eligibility,
    events,
    exemptions,
    members,
    schools,
    submissions,
)
from shared.auth import Principal
from shared.auth.scope import Scope
from shared.readcache import VersionedCache, data_version
from shared.time import local_date

MISSING, ON_TIME, LATE, AMENDED, EXEMPT = "missing", "on_time", "late", "amended", "exempt"
CELL_COLUMNS = [
    submissions.c[name]
    for name in (
        "submission_id",
        "filer_id",
        "form",
        "on_time",
        "filed_at",
        "amendments",
        "review_state",
        "review_reason",
        "reviewed_at",
        "reopened",
    )
]
"""What a board cell shows of a filing (not its payload: decoding every payload was a third of the time)."""
FORM_09_COPIES = 2


def status_board(
    service: Submissions,
    principal: Principal,
    year: int,
    cluster_id: str | None = None,
    shape: Callable[[dict[str, Any]], Any] = dict,
) -> Any:
    """Return the state of every required filing of the year for the schools and clusters one reads.

    The answer is kept per (year, cluster, what the caller reads, shape) until the service's data
    changes, in the ``shape`` it is served in (the API keeps it as the JSON document it sends).
    """
    today = local_date(service.clock())  # a returned filing lapses by the day: the day is part of the key
    with service.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        version = data_version(conn, events, consumer_positions)
        key = (year, cluster_id, scope, today, shape)
        return BOARDS.get(key, version, lambda: shape(_board(conn, scope, year, cluster_id, today)))


BOARDS = VersionedCache()


def _board(
    conn: sa.Connection, scope: Scope, year: int, cluster_id: str | None, today: date
) -> dict[str, Any]:
    """Compute the status board from the read tables (in the caller's transaction)."""
    campaign = lookups.campaign(conn, year)
    deadlines = campaign["deadlines"]
    lapse = {"campaign": campaign, "today": today}
    member_query = (
        sa.select(members.c.school_id, members.c.cluster_id, schools.c.name)
        .join(schools, schools.c.school_id == members.c.school_id)
        .where(members.c.year == year)
        .order_by(members.c.cluster_id, schools.c.name)
    )
    cluster_query = (
        sa.select(clusters.c.cluster_id).where(clusters.c.year == year).order_by(clusters.c.cluster_id)
    )
    if cluster_id:
        member_query = member_query.where(members.c.cluster_id == cluster_id)
        cluster_query = cluster_query.where(clusters.c.cluster_id == cluster_id)
    school_rows = conn.execute(member_query).all()
    cluster_ids = list(conn.execute(cluster_query).scalars())
    filed = conn.execute(sa.select(*CELL_COLUMNS).where(submissions.c.year == year)).mappings().all()
    proposals = {
        cluster: payload["proposals_08"]
        for cluster, payload in conn.execute(
            sa.select(submissions.c.filer_id, submissions.c.payload).where(
                (submissions.c.year == year) & (submissions.c.form == DOSSIER_FORM)
            )
        )
    }
    exempt = {
        tuple(r)
        for r in conn.execute(
            sa.select(exemptions.c.deadline_code, exemptions.c.filer_id).where(exemptions.c.year == year)
        )
    }
    confirmed = conn.execute(
        sa.select(confirmations.c.school_id, confirmations.c.copy).where(confirmations.c.year == year)
    ).all()
    ineligible = set(
        conn.execute(
            sa.select(eligibility.c.school_id).where(
                (eligibility.c.year == year) & eligibility.c.eligible.is_(False)
            )
        ).scalars()
    )
    by_filer: dict[tuple[str, str], dict[str, Any]] = {}
    for row in filed:
        by_filer.setdefault((row["filer_id"], row["form"]), dict(row))
    school_deadlines = [d for d in deadlines if d["filer"] == "school"]
    cluster_deadlines = [d for d in deadlines if d["filer"] != "school"]
    return {
        "year": year,
        "deadlines": [
            {
                **{k: d[k] for k in ("code", "title", "forms", "filer", "due")},
                "consequence": d.get("consequence", "deduction"),
                "source": source_of(campaign, f"deadlines.{d['code']}"),
            }
            for d in deadlines
        ],
        "deductions": {
            kind: {"points": campaign["deductions"][f"{kind}_per_filing"]}
            | {"source": source_of(campaign, f"deductions.{kind}_per_filing")}
            for kind in ("late", "missing")
        },
        "schools": [
            {
                "school_id": school_id,
                "name": name,
                "cluster_id": member_cluster,
                "eligible": school_id not in ineligible,
                "cells": {d["code"]: _cell(d, school_id, by_filer, exempt, lapse) for d in school_deadlines},
                "form_09": form_09_state(school_id, proposals.get(member_cluster), confirmed),
            }
            for school_id, member_cluster, name in school_rows
            if scope.school(school_id, member_cluster)
        ],
        "clusters": [
            {
                "cluster_id": cid,
                "cells": {d["code"]: _cell(d, cid, by_filer, exempt, lapse) for d in cluster_deadlines},
                "dossier": dossier_state(proposals.get(cid), confirmed),
            }
            for cid in cluster_ids
            if scope.cluster(cid)
        ],
    }


def dossier_state(proposals: list[dict[str, Any]] | None, confirmed: Any) -> dict[str, Any] | None:
    """Return which proposed schools (the dossier's Mẫu 08) have both Form 09 copies confirmed."""
    if proposals is None:
        return None
    copies: dict[str, set[int]] = {}
    for school_id, copy in confirmed:
        copies.setdefault(school_id, set()).add(copy)
    proposed = sorted({p["school_id"] for p in proposals})
    state = {school: sorted(copies.get(school, set())) for school in proposed}
    return {"proposed": state, "complete": all(len(c) == FORM_09_COPIES for c in state.values())}


def form_09_state(school_id: str, proposals: list[dict[str, Any]] | None, confirmed: Any) -> dict[str, Any]:
    """Return whether the cluster's dossier proposes a school and which Form 09 copies are confirmed."""
    proposed = any(p["school_id"] == school_id for p in proposals or [])
    copies = sorted({copy for school, copy in confirmed if school == school_id})
    return {"proposed": proposed, "copies": copies, "complete": len(copies) == FORM_09_COPIES}


def _cell(
    deadline: dict[str, Any],
    filer_id: str,
    by_filer: dict[tuple[str, str], dict[str, Any]],
    exempt: set[tuple[Any, ...]],
    lapse: dict[str, Any],
) -> dict[str, Any]:
    """Return one filer's state for one deadline (a returned filing not corrected in time: by the rule)."""
    if (deadline["code"], filer_id) in exempt:
        return {"status": EXEMPT}
    own = deadline.get("extended_for", {}).get(filer_id)
    extended = {"extended_to": due_date(deadline, filer_id).isoformat()} if own else {}
    found = next((by_filer[(filer_id, f)] for f in deadline["forms"] if (filer_id, f) in by_filer), None)
    if found is None:
        return {"status": MISSING, **extended}
    status = AMENDED if found["amendments"] else ON_TIME if found["on_time"] else LATE
    rule = None
    due = due_date(deadline, filer_id)
    if review.lapsed(found, due, lapse["campaign"], lapse["today"]):
        rule = review.returned_unamended(lapse["campaign"])
        status = MISSING if rule == review.RETURNED_UNAMENDED_MISSING else status
    correct_by = review.correct_by(found, due, lapse["campaign"])
    return {
        "status": status,
        "returned_unamended": rule,
        "submission_id": found["submission_id"],
        "on_time": found["on_time"],
        "filed_at": found["filed_at"].isoformat(),
        "amendments": found["amendments"],
        "review": found["review_state"],
        "review_reason": found["review_reason"],
        "correct_by": correct_by.isoformat() if correct_by else None,
        "amendable": may_amend(found, due, lapse["today"]),
        **extended,
    }

"""The status board: for a year (optionally one cluster), each filer by each required filing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.submissions.app import lookups, visibility
from services.submissions.service import Submissions
from services.submissions.tables import (
    clusters,
    confirmations,
    eligibility,
    exemptions,
    members,
    schools,
    submissions,
)
from services.vocabulary import DOSSIER_FORM
from shared.auth import Principal

MISSING, ON_TIME, LATE, AMENDED, EXEMPT = "missing", "on_time", "late", "amended", "exempt"
FORM_09_COPIES = 2


def status_board(
    service: Submissions, principal: Principal, year: int, cluster_id: str | None = None
) -> dict[str, Any]:
    """Return the state of every required filing of the year for the schools and clusters one reads."""
    with service.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        deadlines = lookups.campaign(conn, year)["deadlines"]
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
        filed = conn.execute(submissions.select().where(submissions.c.year == year)).mappings().all()
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
        "deadlines": [{k: d[k] for k in ("code", "title", "forms", "filer", "due")} for d in deadlines],
        "schools": [
            {
                "school_id": school_id,
                "name": name,
                "cluster_id": member_cluster,
                "eligible": school_id not in ineligible,
                "cells": {d["code"]: _cell(d, school_id, by_filer, exempt) for d in school_deadlines},
                "form_09": form_09_state(school_id, by_filer.get((member_cluster, DOSSIER_FORM)), confirmed),
            }
            for school_id, member_cluster, name in school_rows
            if scope.school(school_id, member_cluster)
        ],
        "clusters": [
            {
                "cluster_id": cid,
                "cells": {d["code"]: _cell(d, cid, by_filer, exempt) for d in cluster_deadlines},
                "dossier": dossier_state(by_filer.get((cid, DOSSIER_FORM)), confirmed),
            }
            for cid in cluster_ids
            if scope.cluster(cid)
        ],
    }


def dossier_state(dossier: dict[str, Any] | None, confirmed: Any) -> dict[str, Any] | None:
    """Return which proposed schools have both Form 09 copies confirmed; complete when all have."""
    if dossier is None:
        return None
    copies: dict[str, set[int]] = {}
    for school_id, copy in confirmed:
        copies.setdefault(school_id, set()).add(copy)
    proposed = sorted({p["school_id"] for p in dossier["payload"]["proposals_08"]})
    state = {school: sorted(copies.get(school, set())) for school in proposed}
    return {"proposed": state, "complete": all(len(c) == FORM_09_COPIES for c in state.values())}


def form_09_state(school_id: str, dossier: dict[str, Any] | None, confirmed: Any) -> dict[str, Any]:
    """Return whether the cluster's dossier proposes a school and which Form 09 copies are confirmed."""
    proposed = dossier is not None and any(
        p["school_id"] == school_id for p in dossier["payload"]["proposals_08"]
    )
    copies = sorted({copy for school, copy in confirmed if school == school_id})
    return {"proposed": proposed, "copies": copies, "complete": len(copies) == FORM_09_COPIES}


def _cell(
    deadline: dict[str, Any],
    filer_id: str,
    by_filer: dict[tuple[str, str], dict[str, Any]],
    exempt: set[tuple[Any, ...]],
) -> dict[str, Any]:
    """Return one filer's state for one deadline."""
    if (deadline["code"], filer_id) in exempt:
        return {"status": EXEMPT}
    found = next((by_filer[(filer_id, f)] for f in deadline["forms"] if (filer_id, f) in by_filer), None)
    if found is None:
        return {"status": MISSING}
    status = AMENDED if found["amendments"] else ON_TIME if found["on_time"] else LATE
    return {
        "status": status,
        "submission_id": found["submission_id"],
        "on_time": found["on_time"],
        "filed_at": found["filed_at"].isoformat(),
        "amendments": found["amendments"],
        "review": found["review_state"],
        "review_reason": found["review_reason"],
    }

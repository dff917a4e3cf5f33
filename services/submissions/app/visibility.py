"""Which filings a caller reads (shared.auth.scope), with Form 03's personal data shown only to those
who may see it: the Academy and the head of the cluster whose officers it lists."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.forms import OFFICERS_FORM
from services.submissions.tables import schools, submissions
from shared.auth import Principal
from shared.auth.scope import Scope, scope_of

PERSONAL_FIELDS = ("name", "email", "phone")


def scope(conn: sa.Connection, principal: Principal) -> Scope:
    """Return what the caller reads (a code's schools from the registry view)."""

    def schools_with_code(code: str) -> list[str]:
        return list(conn.execute(sa.select(schools.c.school_id).where(schools.c.code == code)).scalars())

    return scope_of(principal, schools_with_code)


def reads(scope: Scope, filing: dict[str, Any]) -> bool:
    """Return whether the caller reads a filing: its filer school, or its cluster as a whole."""
    return scope.cluster(filing["cluster_id"]) or (
        filing["filer_type"] == "school" and scope.school(filing["filer_id"])
    )


def readable_filings(scope: Scope) -> sa.ColumnElement[bool] | None:
    """Return the condition on the filings table a caller's lists are limited to (None: no limit)."""
    if scope.everything:
        return None
    return sa.or_(
        submissions.c.cluster_id.in_(scope.clusters),
        (submissions.c.filer_type == "school") & submissions.c.filer_id.in_(scope.schools),
    )


def shown(scope: Scope, form: str, cluster_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Return a filing's payload as the caller may see it: Form 03's officers without personal data."""
    if form != OFFICERS_FORM or scope.personal(cluster_id):
        return payload
    officers = [{**o, **dict.fromkeys(PERSONAL_FIELDS)} for o in payload.get("officers", [])]
    return {**payload, "officers": officers, "personal_data_hidden": True}


def filing_shown(scope: Scope, filing: dict[str, Any]) -> dict[str, Any]:
    """Return a filing row as the caller may see it."""
    return {**filing, "payload": shown(scope, filing["form"], filing["cluster_id"], filing["payload"])}


def reads_document(conn: sa.Connection, scope: Scope, sha256: str) -> bool:
    """Return whether the caller reads a filing that holds a document (the Academy and operators: any)."""
    limit = readable_filings(scope)
    if limit is None:
        return True
    query = sa.select(submissions.c.documents).where(limit)
    return any(ref.get("sha256") == sha256 for refs in conn.execute(query).scalars() for ref in refs or [])

"""Which results a caller reads (shared.auth.scope): a school's card, a cluster's table and proposals."""

from __future__ import annotations

import sqlalchemy as sa

from services.scoring.tables import members, schools
from shared.auth import Principal
from shared.auth.scope import Scope, scope_of
from shared.errors import Forbidden
from shared.service import ServiceContext


def scope(service: ServiceContext, principal: Principal) -> Scope:
    """Return what the caller reads (a code's schools from scoring's facts)."""
    with service.reader.connect() as conn:
        return _scope(conn, principal)


def _scope(conn: sa.Connection, principal: Principal) -> Scope:
    """Return what the caller reads, on an open connection."""

    def schools_with_code(code: str) -> list[str]:
        return list(conn.execute(sa.select(schools.c.school_id).where(schools.c.code == code)).scalars())

    return scope_of(principal, schools_with_code)


def require_school(service: ServiceContext, principal: Principal, year: int, school_id: str) -> None:
    """Refuse (403) a caller who may not read a school's results in a year."""
    with service.reader.connect() as conn:
        visible = _scope(conn, principal)
        if visible.everything:
            return
        member = (members.c.year == year) & (members.c.school_id == school_id)
        cluster_id = conn.execute(sa.select(members.c.cluster_id).where(member)).scalar()
    visible.require_school(school_id, cluster_id)


def require_cluster(service: ServiceContext, principal: Principal, cluster_id: str) -> None:
    """Refuse (403) a caller who may not read a cluster's table, targets or proposals."""
    scope(service, principal).require_cluster(cluster_id)


def targets_cluster(service: ServiceContext, principal: Principal, cluster_id: str | None) -> str | None:
    """Return the cluster a targets report is limited to: the one asked for, or the caller's own."""
    visible = scope(service, principal)
    if cluster_id is None and not visible.everything:
        if len(visible.clusters) != 1:
            raise Forbidden("you may read the targets of your own cluster only", {})
        cluster_id = next(iter(visible.clusters))
    if cluster_id is not None:
        visible.require_cluster(cluster_id)
    return cluster_id

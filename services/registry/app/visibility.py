"""Which awards a caller reads (shared.auth.scope), the same rules as scoring's results."""

from __future__ import annotations

import sqlalchemy as sa

from services.registry.app.lookups import absorbed
from services.registry.tables import schools
from shared.auth import Principal
from shared.auth.scope import Scope, scope_of


def scope(conn: sa.Connection, principal: Principal) -> Scope:
    """Return what the caller reads: a code reads its schools and the schools merged into them."""

    def schools_with_code(code: str) -> set[str]:
        own = conn.execute(sa.select(schools.c.school_id).where(schools.c.code == code)).scalars()
        return set().union(*(absorbed(conn, school_id) for school_id in own))

    return scope_of(principal, schools_with_code)

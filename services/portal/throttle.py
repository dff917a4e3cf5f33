"""Throttling of sign-in attempts by (what is tried, client address), with growing delays.

An account is never locked for everyone: failures count per e-mail address *and* client address, so
an attacker elsewhere slows only their own tries. The first ``free`` failures cost nothing; each one
after blocks that pair for twice as long as the one before, up to ``longest``. The key is a hash, so
the table holds no e-mail address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.portal.tables import throttle
from shared.db import serialise

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, and how long the delay after them may grow."""

    free: int = 3
    first: timedelta = timedelta(seconds=2)
    longest: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta:
        """Return how long a pair is blocked after its ``failures``-th failure in a row."""
        beyond = failures - self.free
        if beyond <= 0:
            return timedelta(0)
        return min(self.first * (2 ** min(beyond - 1, 20)), self.longest)


def throttle_key(subject: str, client: str) -> str:
    """Return the key of a (subject, client address) pair: a hash, never the e-mail itself."""
    return hashlib.sha256(f"{subject}\x00{client}".encode()).hexdigest()


def blocked(conn: sa.Connection, key: str, now: datetime) -> bool:
    """Say whether a pair must wait before its next try."""
    until = conn.execute(sa.select(throttle.c.blocked_until).where(throttle.c.key == key)).scalar()
    return until is not None and until > now


def has_failures(conn: sa.Connection, key: str) -> bool:
    """Say whether a pair has failed since its last success (within the day the table remembers)."""
    return conn.execute(sa.select(throttle.c.failures).where(throttle.c.key == key)).scalar() is not None


def record_failure(conn: sa.Connection, key: str, now: datetime, policy: ThrottlePolicy) -> int:
    """Count a failure of a pair and block it for the policy's delay; return the failures in a row."""
    serialise(conn, f"portal-throttle:{key}")  # two failures at once count twice, and never collide
    row = conn.execute(sa.select(throttle.c.failures).where(throttle.c.key == key)).first()
    failures = (row[0] if row else 0) + 1
    values = {"failures": failures, "blocked_until": now + policy.delay(failures), "updated_at": now}
    if row is None:
        conn.execute(throttle.insert().values(key=key, **values))
    else:
        conn.execute(throttle.update().where(throttle.c.key == key).values(**values))
    conn.execute(throttle.delete().where(throttle.c.updated_at < now - FORGET_AFTER))
    return failures


def record_success(conn: sa.Connection, key: str) -> None:
    """Forget a pair's failures once it got in."""
    conn.execute(throttle.delete().where(throttle.c.key == key))

"""The second factor: TOTP (RFC 6238, pyotp) with a QR code at enrolment, and one-time recovery codes.

The secret is sealed at rest; a code is accepted once (its time step must be newer than the last one
accepted) within one step of the clock either way; recovery codes are shown once and kept as SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa

from services.portal.tables import accounts, recovery_codes
from shared.secretbox import SecretBox

ISSUER = "Thi đua các trường chính trị"
RECOVERY_CODES = 10
STEP = 30


def start_enrolment(conn: sa.Connection, account_id: int, box: SecretBox) -> str:
    """Make a new secret for an account, kept pending until a code from it confirms it; return it."""
    secret = pyotp.random_base32()
    conn.execute(
        accounts.update().where(accounts.c.account_id == account_id).values(totp_pending=box.seal(secret))
    )
    return secret


def pending_secret(conn: sa.Connection, account_id: int, box: SecretBox) -> str | None:
    """Return the secret an enrolment shows, if one was started."""
    sealed = conn.execute(
        sa.select(accounts.c.totp_pending).where(accounts.c.account_id == account_id)
    ).scalar()
    return box.open(sealed) if sealed else None


def qr_code(secret: str, email: str) -> str:
    """Return the enrolment QR code (the otpauth URI) as an SVG data URI for an ``<img>``."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def confirm_enrolment(
    conn: sa.Connection, account_id: int, code: str, box: SecretBox, now: datetime
) -> list[str] | None:
    """Turn the second factor on when the code matches the pending secret; return recovery codes."""
    secret = pending_secret(conn, account_id, box)
    step = _matching_step(secret, code, now, None) if secret else None
    if secret is None or step is None:
        return None
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account_id)
        .values(totp_secret=box.seal(secret), totp_pending=None, totp_last_step=step)
    )
    return new_recovery_codes(conn, account_id)


def verify(conn: sa.Connection, account_id: int, code: str, box: SecretBox, now: datetime) -> bool:
    """Say whether a code opens the account: a fresh TOTP code, or an unused recovery code (spent)."""
    row = conn.execute(
        sa.select(accounts.c.totp_secret, accounts.c.totp_last_step).where(
            accounts.c.account_id == account_id
        )
    ).first()
    if row is None or not row.totp_secret:
        return False
    step = _matching_step(box.open(row.totp_secret), code, now, row.totp_last_step)
    if step is not None:
        spent = conn.execute(  # a code races once: only one request moves the step on
            accounts.update()
            .where(
                (accounts.c.account_id == account_id)
                & ((accounts.c.totp_last_step.is_(None)) | (accounts.c.totp_last_step < step))
            )
            .values(totp_last_step=step)
        )
        return bool(spent.rowcount)
    used = conn.execute(
        recovery_codes.update()
        .where(
            (recovery_codes.c.code_hash == _digest(code))
            & (recovery_codes.c.account_id == account_id)
            & recovery_codes.c.used_at.is_(None)
        )
        .values(used_at=now)
    )
    return bool(used.rowcount)


def new_recovery_codes(conn: sa.Connection, account_id: int) -> list[str]:
    """Replace an account's recovery codes with new ones, returned once and kept only as hashes."""
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    conn.execute(recovery_codes.delete().where(recovery_codes.c.account_id == account_id))
    conn.execute(
        recovery_codes.insert(), [{"code_hash": _digest(code), "account_id": account_id} for code in codes]
    )
    return codes


def remaining_recovery_codes(conn: sa.Connection, account_id: int) -> int:
    """Return how many recovery codes an account has left."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(recovery_codes)
            .where((recovery_codes.c.account_id == account_id) & recovery_codes.c.used_at.is_(None))
        ).scalar_one()
    )


def turn_off(conn: sa.Connection, account_id: int) -> None:
    """Remove an account's second factor and its recovery codes."""
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account_id)
        .values(totp_secret=None, totp_pending=None, totp_last_step=None)
    )
    conn.execute(recovery_codes.delete().where(recovery_codes.c.account_id == account_id))


def _matching_step(secret: str | None, code: str, now: datetime, last: int | None) -> int | None:
    """Return the time step (now, or one either side) whose code this is, if newer than ``last``."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if (last is None or step > last) and secrets.compare_digest(totp.at(step * STEP), digits):
            return step
    return None


def _recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()

"""Account rules: who may sign in, Argon2 passwords, lock-out after failures, one-time invitation links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.portal.tables import accounts, invitations, journal
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.time import local_text

PORTAL_ROLES = {
    SCHOOL_OFFICER: "Cán bộ thi đua của trường",
    CLUSTER_HEAD: "Cụm trưởng",
    ACADEMY_ADMIN: "Học viện (Vụ Các trường chính trị)",
    PROVINCIAL_VIEWER: "Thường trực tỉnh ủy, thành ủy / lãnh đạo bộ, ngành (xem)",
}
"""The roles a person signs in with, and how the pages name them."""
MIN_PASSWORD = 10
HASHER = PasswordHasher()


class AccountError(Exception):
    """An account rule was broken; the message is for the person, in Vietnamese."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Account:
    """A signed-in person: an id, a name, and exactly one role with its tenant."""

    account_id: int
    email: str
    full_name: str
    role: str
    tenant: str | None

    @property
    def subject(self) -> str:
        """Return how the services' tokens and events name this person."""
        return f"portal-{self.account_id}"


def normalised_email(email: str) -> str:
    """Return an e-mail address as accounts are keyed: trimmed, lower case."""
    return email.strip().lower()


def check_role(role: str, tenant: str | None) -> None:
    """Refuse a role the portal does not know, or a tenant that does not fit the role."""
    if role not in PORTAL_ROLES:
        raise AccountError("Vai trò không hợp lệ.", "role")
    if role == ACADEMY_ADMIN and tenant:
        raise AccountError("Tài khoản của Học viện không gắn với trường, cụm hay tỉnh nào.", "tenant")
    if role != ACADEMY_ADMIN and not tenant:
        raise AccountError("Vai trò này cần chọn trường, cụm hoặc mã tỉnh mà tài khoản làm việc.", "tenant")


def check_password(password: str, confirmation: str, email: str) -> None:
    """Refuse a password that is short, repeats the e-mail, or differs from its confirmation."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", "password")
    if normalised_email(password) == normalised_email(email) or password.lower() in email.lower():
        raise AccountError("Mật khẩu không được trùng với địa chỉ thư điện tử.", "password")
    if password != confirmation:
        raise AccountError("Mật khẩu nhập lại không khớp.", "confirmation")


def create_account(
    conn: sa.Connection, email: str, full_name: str, role: str, tenant: str | None, actor: str, now: datetime
) -> Account:
    """Create an account without a password (it is set through an invitation); e-mails are unique."""
    check_role(role, tenant)
    email = normalised_email(email)
    if conn.execute(sa.select(accounts.c.account_id).where(accounts.c.email == email)).first():
        raise AccountError("Đã có tài khoản với địa chỉ thư điện tử này.", "email")
    inserted = conn.execute(
        accounts.insert().values(
            email=email,
            full_name=full_name.strip(),
            role=role,
            tenant=tenant or None,
            created_at=now,
            created_by=actor,
        )
    ).inserted_primary_key
    account_id = int(inserted[0]) if inserted else 0
    _journal(conn, account_id, "created", actor, now)
    return Account(account_id, email, full_name.strip(), role, tenant or None)


def invite(conn: sa.Connection, account_id: int, valid_for: timedelta, actor: str, now: datetime) -> str:
    """Make a one-time invitation for an account and return its token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        invitations.insert().values(
            token_hash=_digest(token), account_id=account_id, expires_at=now + valid_for, created_at=now
        )
    )
    _journal(conn, account_id, "invited", actor, now)
    return token


def invitation_account(conn: sa.Connection, token: str, now: datetime) -> Account:
    """Return the account an unused, unexpired invitation is for; refuse any other link."""
    row = (
        conn.execute(invitations.select().where(invitations.c.token_hash == _digest(token)))
        .mappings()
        .first()
    )
    if row is None or row["used_at"] is not None:
        raise AccountError(
            "Liên kết này không hợp lệ hoặc đã được dùng. Hãy đề nghị Học viện gửi lời mời mới."
        )
    if row["expires_at"] <= now:
        raise AccountError("Liên kết này đã hết hạn. Hãy đề nghị Học viện gửi lời mời mới.")
    account = account_by_id(conn, row["account_id"])
    if account is None:
        raise AccountError("Tài khoản của lời mời này không còn hoạt động.")
    return account


def accept_invitation(
    conn: sa.Connection, token: str, password: str, confirmation: str, now: datetime
) -> Account:
    """Set the password of an invited account; the link is spent, and older links of it too."""
    account = invitation_account(conn, token, now)
    check_password(password, confirmation, account.email)
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account.account_id)
        .values(password_hash=HASHER.hash(password), failed_attempts=0, locked_until=None)
    )
    conn.execute(
        invitations.update()
        .where((invitations.c.account_id == account.account_id) & invitations.c.used_at.is_(None))
        .values(used_at=now)
    )
    _journal(conn, account.account_id, "password_set", account.subject, now)
    return account


def authenticate(
    conn: sa.Connection, email: str, password: str, now: datetime, lock_after: int, lock_for: timedelta
) -> Account:
    """Return the account a password opens; count failures and lock the account after ``lock_after``.

    Unknown e-mails, accounts without a password and wrong passwords get one message, so the page does
    not tell who has an account; a locked account says until when.
    """
    wrong = AccountError("Địa chỉ thư điện tử hoặc mật khẩu không đúng.")
    row = (
        conn.execute(accounts.select().where(accounts.c.email == normalised_email(email)).with_for_update())
        .mappings()
        .first()
    )
    if row is None or not row["active"] or not row["password_hash"]:
        HASHER.hash(password)  # the same work as a real check, so timing does not tell either
        raise wrong
    if row["locked_until"] is not None and row["locked_until"] > now:
        raise AccountError(_locked_message(row["locked_until"]))
    if not _verifies(row["password_hash"], password):
        this = accounts.c.account_id == row["account_id"]
        conn.execute(accounts.update().where(this).values(failed_attempts=accounts.c.failed_attempts + 1))
        failures = conn.execute(sa.select(accounts.c.failed_attempts).where(this)).scalar_one()
        if failures < lock_after:
            raise wrong
        conn.execute(accounts.update().where(this).values(failed_attempts=0, locked_until=now + lock_for))
        _journal(conn, row["account_id"], "locked", "portal", now)
        raise AccountError(_locked_message(now + lock_for))
    values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None}
    if HASHER.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = HASHER.hash(password)
    conn.execute(accounts.update().where(accounts.c.account_id == row["account_id"]).values(**values))
    return _account(row)


def account_by_id(conn: sa.Connection, account_id: int) -> Account | None:
    """Return an active account by id, or None."""
    row = (
        conn.execute(accounts.select().where((accounts.c.account_id == account_id) & accounts.c.active))
        .mappings()
        .first()
    )
    return _account(row) if row else None


def list_accounts(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every account with whether it has a password yet and whether it is locked."""
    rows = conn.execute(accounts.select().order_by(accounts.c.role, accounts.c.email)).mappings()
    return [
        {k: v for k, v in row.items() if k != "password_hash"} | {"has_password": bool(row["password_hash"])}
        for row in rows
    ]


def _locked_message(until: datetime) -> str:
    return f"Tài khoản tạm khóa đến {local_text(until)} vì nhập sai mật khẩu nhiều lần."


def _verifies(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: Any) -> Account:
    return Account(row["account_id"], row["email"], row["full_name"], row["role"], row["tenant"])


def _journal(conn: sa.Connection, account_id: int, action: str, actor: str, now: datetime) -> None:
    conn.execute(journal.insert().values(account_id=account_id, action=action, actor=actor, at=now))


def sign_in(
    engine: sa.Engine, email: str, password: str, now: datetime, lock_after: int, lock_for: timedelta
) -> Account:
    """Authenticate in one transaction that is kept even when the password is refused (failures count)."""
    with engine.begin() as conn:
        try:
            return authenticate(conn, email, password, now, lock_after, lock_for)
        except AccountError as refused:
            failure = refused
    raise failure

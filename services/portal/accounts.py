"""Account rules: who may sign in, Argon2 passwords, throttled sign-in, sessions that can be ended,
one-time links (invitations and password resets), and what the Academy changes on an account."""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import email_validator
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email

from services.portal import throttle
from services.portal.tables import accounts, invitations, journal, recovery_codes
from services.portal.throttle import ThrottlePolicy
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.personal import ERASED

log = logging.getLogger(__name__)
INVITATION, RESET = "invitation", "reset"
PORTAL_ROLES = {
    SCHOOL_OFFICER: "Cán bộ thi đua của trường",
    CLUSTER_HEAD: "Cụm trưởng",
    ACADEMY_ADMIN: "Học viện (Vụ Các trường chính trị)",
    PROVINCIAL_VIEWER: "Thường trực tỉnh ủy, thành ủy / lãnh đạo bộ, ngành (xem)",
}
"""The roles a person signs in with, and how the pages name them."""
MIN_PASSWORD = 10
HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
"""Verified against when there is no real hash, so every refusal costs one Argon2 verification."""
REFUSED = (
    "Đăng nhập không thành công. Hãy kiểm tra địa chỉ thư điện tử và mật khẩu; "
    "sau nhiều lần nhập sai, hãy chờ ít phút rồi thử lại."
)


class AccountError(Exception):
    """An account rule was broken; the message is for the person, in Vietnamese."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SignInRefused(AccountError):
    """A sign-in was refused; the person sees one message whatever the reason, operators the reason."""

    def __init__(self, reason: str):
        super().__init__(REFUSED)
        self.reason = reason


@dataclass(frozen=True)
class Account:
    """A signed-in person: an id, a name, exactly one role with its tenant, and their session state."""

    account_id: int
    email: str
    full_name: str
    role: str
    tenant: str | None
    generation: int = 0
    """Every session carries it; raising it ends them all."""
    must_change_password: bool = False
    has_second_factor: bool = False

    @property
    def second_factor_required(self) -> bool:
        """Say whether this account may not sign in without a second factor (the Academy's)."""
        return self.role == ACADEMY_ADMIN

    @property
    def subject(self) -> str:
        """Return how the services' tokens and events name this person."""
        return f"portal-{self.account_id}"


def normalised_email(email: str) -> str:
    """Return an e-mail address as accounts are keyed: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", email.strip()).lower()


if "invalid" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    # The demonstration year's and the tests' people have addresses under .invalid (RFC 2606), which
    # receives no mail anywhere; the library's list of refused names is documented as adjustable.
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("invalid")


def checked_email(email: str) -> str:
    """Return one account address, parsed and normalised (NFC, IDNA domain, lower case), or refuse it.

    One address only (no list, no line break), in Latin letters (Vietnamese ones included), so that no
    address can pass for another written with look-alike letters of another script.
    """
    text = email.strip()
    if any(c in text for c in ",;\r\n\t<>") or not text:
        raise AccountError("Hãy nhập đúng một địa chỉ thư điện tử.", "email")
    try:
        parsed = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError("Địa chỉ thư điện tử không hợp lệ.", "email") from error
    if any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in parsed.normalized):
        raise AccountError("Địa chỉ thư điện tử chỉ dùng chữ cái Latinh (kể cả chữ tiếng Việt).", "email")
    return normalised_email(f"{parsed.local_part}@{parsed.ascii_domain}")


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
    email = checked_email(email)
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


def invite(
    conn: sa.Connection,
    account_id: int,
    valid_for: timedelta,
    actor: str,
    now: datetime,
    purpose: str = INVITATION,
) -> str:
    """Make a one-time link (an invitation or a password reset); return its token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        invitations.insert().values(
            token_hash=_digest(token),
            account_id=account_id,
            expires_at=now + valid_for,
            created_at=now,
            purpose=purpose,
        )
    )
    _journal(conn, account_id, "invited" if purpose == INVITATION else "reset_requested", actor, now)
    return token


def invitation_account(conn: sa.Connection, token: str, now: datetime, purpose: str = INVITATION) -> Account:
    """Return the account an unused, unexpired link of that purpose is for; refuse any other link."""
    ask = (
        "Hãy đề nghị Học viện gửi lời mời mới."
        if purpose == INVITATION
        else "Hãy đề nghị đặt lại mật khẩu một lần nữa."
    )
    row = (
        conn.execute(
            invitations.select().where(
                (invitations.c.token_hash == _digest(token)) & (invitations.c.purpose == purpose)
            )
        )
        .mappings()
        .first()
    )
    if row is None or row["used_at"] is not None:
        raise AccountError(f"Liên kết này không hợp lệ hoặc đã được dùng. {ask}")
    if row["expires_at"] <= now:
        raise AccountError(f"Liên kết này đã hết hạn. {ask}")
    account = account_by_id(conn, row["account_id"])
    if account is None:
        raise AccountError("Tài khoản của liên kết này không còn hoạt động.")
    return account


def accept_invitation(
    conn: sa.Connection,
    token: str,
    password: str,
    confirmation: str,
    now: datetime,
    purpose: str = INVITATION,
) -> Account:
    """Set the password through a one-time link; the link is spent, every older link of the account
    with it, and every session of the account ends."""
    account = invitation_account(conn, token, now, purpose)
    check_password(password, confirmation, account.email)
    _set_password(conn, account.account_id, password)
    conn.execute(
        invitations.update()
        .where((invitations.c.account_id == account.account_id) & invitations.c.used_at.is_(None))
        .values(used_at=now)
    )
    _journal(conn, account.account_id, "password_set", account.subject, now)
    return account


def reset_link(
    conn: sa.Connection, email: str, valid_for: timedelta, now: datetime, every: timedelta
) -> tuple[Account, str] | None:
    """Make a password-reset link for an active account, or None (unknown, or one was sent lately)."""
    wanted = (accounts.c.email == normalised_email(email)) & accounts.c.active
    row = conn.execute(accounts.select().where(wanted)).mappings().first()
    if row is None:
        return None
    recent = conn.execute(
        sa.select(invitations.c.token_hash).where(
            (invitations.c.account_id == row["account_id"])
            & (invitations.c.purpose == RESET)
            & (invitations.c.created_at > now - every)
        )
    ).first()
    if recent is not None:
        log.info("password reset not sent: one was sent lately", extra={"account_id": row["account_id"]})
        return None
    account = _account(row)
    return account, invite(conn, account.account_id, valid_for, account.subject, now, RESET)


def change_password(
    conn: sa.Connection, account: Account, current: str, password: str, confirmation: str, now: datetime
) -> Account:
    """Change a signed-in person's password (the current one proves it is them); end every session."""
    stored = conn.execute(
        sa.select(accounts.c.password_hash).where(accounts.c.account_id == account.account_id)
    ).scalar()
    if not _verifies(stored or DUMMY_HASH, current) or not stored:
        raise AccountError("Mật khẩu hiện tại không đúng.", "current")
    if current == password:
        raise AccountError("Mật khẩu mới phải khác mật khẩu hiện tại.", "password")
    check_password(password, confirmation, account.email)
    _set_password(conn, account.account_id, password)
    _journal(conn, account.account_id, "password_changed", account.subject, now)
    return _fresh(conn, account.account_id)


def password_matches(conn: sa.Connection, account_id: int, password: str) -> bool:
    """Say whether a password is the account's (the same work whether or not it has one)."""
    stored = conn.execute(
        sa.select(accounts.c.password_hash).where(accounts.c.account_id == account_id)
    ).scalar()
    return _verifies(stored or DUMMY_HASH, password) and bool(stored)


def foreign_addresses(conn: sa.Connection, officers: list[dict[str, Any]]) -> dict[str, str]:
    """Return, by field (``<school>.email``), the Form 03 officers listed under another unit's account.

    An address of a portal account belongs to that account's role and unit; a cluster's officer list
    may name it only for the school officer of that very school.
    """
    wanted = {normalised_email(o["email"]): o for o in officers if o.get("email")}
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(accounts.c.email, accounts.c.role, accounts.c.tenant).where(accounts.c.email.in_(wanted))
    )
    return {
        f"{wanted[row.email]['school_id']}.email": "Địa chỉ này thuộc tài khoản của một đơn vị khác."
        for row in rows
        if (row.role, row.tenant) != (SCHOOL_OFFICER, wanted[row.email]["school_id"])
    }


def end_sessions(conn: sa.Connection, account_id: int, action: str, actor: str, now: datetime) -> None:
    """End every session of an account at once (sign-out, a changed role, a disabled account)."""
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account_id)
        .values(session_generation=accounts.c.session_generation + 1)
    )
    _journal(conn, account_id, action, actor, now)


def set_active(conn: sa.Connection, account_id: int, active: bool, actor: str, now: datetime) -> None:
    """Disable an account (its sessions end at once) or enable it again."""
    found = conn.execute(accounts.update().where(accounts.c.account_id == account_id).values(active=active))
    if not found.rowcount:
        raise AccountError("Không có tài khoản này.")
    end_sessions(conn, account_id, "enabled" if active else "disabled", actor, now)


def erase_account(conn: sa.Connection, account_id: int, email: str, actor: str, now: datetime) -> None:
    """Anonymise the account the Academy picked when erasing the data of the person with this address.

    A filing can name any address, so an erasure never reaches an account by the address alone: the
    Academy picks the account shown beside the person, and it must still be the one of that address.
    Its name reads "[đã xóa]", its address is replaced, its secrets go and it can no longer sign in;
    the row stays, so the histories that name its subject still resolve (to the erased mark).
    """
    row = conn.execute(sa.select(accounts.c.email).where(accounts.c.account_id == account_id)).first()
    if row is None or row[0] != normalised_email(email):
        raise AccountError(
            "Tài khoản được chọn không phải tài khoản dùng địa chỉ của người này.", "account_id"
        )
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account_id)
        .values(
            full_name=ERASED,
            email=f"da-xoa-{account_id}@an-danh.invalid",
            active=False,
            **dict.fromkeys(SECRET_COLUMNS),
        )
    )
    conn.execute(invitations.delete().where(invitations.c.account_id == account_id))
    conn.execute(recovery_codes.delete().where(recovery_codes.c.account_id == account_id))
    end_sessions(conn, account_id, "erased", actor, now)


def change_role(
    conn: sa.Connection, account_id: int, role: str, tenant: str | None, actor: str, now: datetime
) -> None:
    """Give an account another role or tenant; its sessions end, so it signs in again as that."""
    check_role(role, tenant)
    found = conn.execute(
        accounts.update().where(accounts.c.account_id == account_id).values(role=role, tenant=tenant or None)
    )
    if not found.rowcount:
        raise AccountError("Không có tài khoản này.")
    end_sessions(conn, account_id, f"role:{role}", actor, now)


def _refusal(row: Any, right: bool, blocked: bool) -> str | None:
    """Return why a sign-in is refused (for the log), or None when the password opens the account."""
    if blocked:
        return "throttled"
    if row is None:
        return "unknown_email"
    if not row["active"]:
        return "disabled"
    if not row["password_hash"]:
        return "no_password"
    return None if right else "wrong_password"


def account_by_id(conn: sa.Connection, account_id: int) -> Account | None:
    """Return an active account by id, or None."""
    row = (
        conn.execute(accounts.select().where((accounts.c.account_id == account_id) & accounts.c.active))
        .mappings()
        .first()
    )
    return _account(row) if row else None


SECRET_COLUMNS = ("password_hash", "totp_secret", "totp_pending", "totp_last_step")


def list_accounts(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every account with whether it has a password and a second factor (never the secrets)."""
    rows = conn.execute(accounts.select().order_by(accounts.c.role, accounts.c.email)).mappings()
    return [
        {k: v for k, v in row.items() if k not in SECRET_COLUMNS}
        | {"has_password": bool(row["password_hash"]), "has_second_factor": bool(row["totp_secret"])}
        for row in rows
    ]


def _set_password(conn: sa.Connection, account_id: int, password: str) -> None:
    """Store a new password; the forced change is done, and every session of the account ends."""
    conn.execute(
        accounts.update()
        .where(accounts.c.account_id == account_id)
        .values(
            password_hash=HASHER.hash(password),
            must_change_password=False,
            session_generation=accounts.c.session_generation + 1,
        )
    )


def _fresh(conn: sa.Connection, account_id: int) -> Account:
    row = conn.execute(accounts.select().where(accounts.c.account_id == account_id)).mappings().one()
    return _account(row)


def _verifies(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: Any) -> Account:
    return Account(
        row["account_id"],
        row["email"],
        row["full_name"],
        row["role"],
        row["tenant"],
        row["session_generation"],
        row["must_change_password"],
        bool(row["totp_secret"]),
    )


def journal_entry(conn: sa.Connection, account_id: int, action: str, actor: str, now: datetime) -> None:
    """Record in the portal's journal what was done to an account, by whom and when."""
    conn.execute(journal.insert().values(account_id=account_id, action=action, actor=actor, at=now))


_journal = journal_entry


def sign_in(
    engine: sa.Engine, email: str, password: str, client: str, now: datetime, policy: ThrottlePolicy
) -> Account:
    """Return the account a password opens, throttling failures by (e-mail, client address).

    Every refusal gives the same message after the same work (one Argon2 verification), whether the
    address is unknown, has no password, is disabled, is throttled, or the password is wrong; the
    reason goes to the log for operators. The verification runs before the write transaction that
    records the outcome, so sign-ins never wait on one another's Argon2 work.
    """
    email = normalised_email(email)
    key = throttle.throttle_key(email, client)
    with engine.execution_options(sqlite_begin="DEFERRED").connect() as conn:
        row = conn.execute(accounts.select().where(accounts.c.email == email)).mappings().first()
        blocked = throttle.blocked(conn, key, now)
    usable = row is not None and row["active"] and row["password_hash"]
    right = _verifies(row["password_hash"] if usable and row else DUMMY_HASH, password)
    reason = _refusal(row, right, blocked)
    failures = None
    with engine.begin() as conn:  # kept even when the password is refused: failures count
        if reason is not None or row is None:  # (no row always has a reason)
            if reason != "throttled":
                failures = throttle.record_failure(conn, key, now, policy)
        else:
            throttle.record_success(conn, key)
            if HASHER.check_needs_rehash(row["password_hash"]):
                conn.execute(
                    accounts.update()
                    .where(accounts.c.account_id == row["account_id"])
                    .values(password_hash=HASHER.hash(password))
                )
    if reason is not None or row is None:  # (no row always has a reason)
        log.warning(
            "sign-in refused",
            extra={
                "reason": reason,
                "account_id": row["account_id"] if row else None,
                "client": client,
                "failures": failures,
            },
        )
        raise SignInRefused(reason or "unknown_email")
    return _account(row)

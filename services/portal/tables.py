"""The portal's tables: accounts, their one-time links, recovery codes, the sign-in throttle, and the
journal of what was done to them."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import UTCDateTime

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("tenant", sa.String(100)),
    sa.Column("password_hash", sa.String(200), comment="Argon2; none until set through an invitation"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column(
        "session_generation",
        sa.Integer,
        nullable=False,
        server_default="0",
        comment="every session carries it; raised to end them all (sign-out, password, role, disabling)",
    ),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("totp_secret", sa.String(400), comment="sealed; set once enrolment is confirmed"),
    sa.Column("totp_pending", sa.String(400), comment="sealed; shown at enrolment until a code confirms it"),
    sa.Column("totp_last_step", sa.BigInteger, comment="the last time step accepted: a code works once"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column(
        "token_hash", sa.String(64), primary_key=True, comment="SHA-256; the token is only in the e-mail"
    ),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.account_id"), nullable=False, index=True),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("purpose", sa.String(20), nullable=False, server_default="invitation", comment="or reset"),
)

throttle = sa.Table(
    "sign_in_throttle",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True, comment="SHA-256 of what is throttled and the address"),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("blocked_until", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
)

recovery_codes = sa.Table(
    "recovery_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True, comment="SHA-256; the code was shown once"),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.account_id"), nullable=False, index=True),
    sa.Column("used_at", UTCDateTime()),
)

journal = sa.Table(
    "account_journal",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.Integer, nullable=False, index=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)

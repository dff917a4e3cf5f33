"""The portal's tables: accounts, their invitations, and the journal of what was done to them."""

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
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime()),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
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

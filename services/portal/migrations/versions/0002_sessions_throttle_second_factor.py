"""Sessions that can be ended, throttling by account and address, password resets and a second factor.

Replaces the account-wide lock-out (``failed_attempts``, ``locked_until``) with a throttle keyed by
(e-mail, client address); adds the session generation every session is checked against, the
forced first change of password, the sealed TOTP secret with its last used step, one-time recovery
codes, and the purpose of a one-time link (invitation or reset).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the session, second-factor and throttle columns and tables; drop the lock-out columns."""
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("failed_attempts")
        batch.drop_column("locked_until")
        batch.add_column(sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_secret", sa.String(400)))
        batch.add_column(sa.Column("totp_pending", sa.String(400)))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("purpose", sa.String(20), nullable=False, server_default="invitation"))
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("blocked_until", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.account_id"), nullable=False, index=True),
        sa.Column("used_at", UTCDateTime()),
    )


def downgrade() -> None:
    """Return to the account-wide lock-out."""
    op.drop_table("recovery_codes")
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("accounts") as batch:
        for column in ("totp_last_step", "totp_pending", "totp_secret", "must_change_password"):
            batch.drop_column(column)
        batch.drop_column("session_generation")
        batch.add_column(sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", UTCDateTime()))

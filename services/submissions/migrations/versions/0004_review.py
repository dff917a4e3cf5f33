"""Review of filings: each filing's review state (awaiting, accepted, returned), reason and reviewer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the review columns; every filing so far awaits review."""
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("review_state", sa.String(16), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("review_reason", sa.String(2000)))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime()))
        batch.add_column(sa.Column("reviewer", sa.String(200)))


def downgrade() -> None:
    """Drop the review columns."""
    with op.batch_alter_table("submissions") as batch:
        for column in ("reviewer", "reviewed_at", "review_reason", "review_state"):
            batch.drop_column(column)

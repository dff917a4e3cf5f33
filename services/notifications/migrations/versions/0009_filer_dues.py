"""A single filer's own later day for a deadline, so its reminders count down to it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create n_filer_dues (filled from DeadlineExtended when the notices are read again)."""
    op.create_table(
        "n_filer_dues",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("filer_id", sa.String(64), primary_key=True),
        sa.Column("due", sa.Date, nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("n_filer_dues")

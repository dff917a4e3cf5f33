"""Rebuilds beside the live read model, with their progress (for the CLI and the console).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the rebuilds table."""
    op.create_table(
        "rebuilds",
        sa.Column("rebuild_id", sa.String(40), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("published", sa.Integer),
        sa.Column("error", sa.String(2000)),
    )


def downgrade() -> None:
    """Drop the rebuilds table."""
    op.drop_table("rebuilds")

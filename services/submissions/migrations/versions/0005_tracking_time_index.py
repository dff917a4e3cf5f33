"""An index on the tracking rows' time, so the data version of kept answers is one index read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index processed_events.processed_at (the status board's cache reads its maximum per request)."""
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_processed_events_processed_at", "processed_events")

"""The consumers' positions per partition, written with each batch's effects (shared.db.tracking_table).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op

from shared.schema_ops import create_positions

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create consumer_positions: a consumer's next offset per partition (the first batch writes it)."""
    create_positions()


def downgrade() -> None:
    """Drop it."""
    op.drop_table("consumer_positions")

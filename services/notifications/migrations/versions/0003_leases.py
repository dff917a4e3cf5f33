"""Leases: one replica at a time runs the relay and the other singleton loops.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

from shared.schema_ops import create_leases

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the leases table."""
    create_leases()


def downgrade() -> None:
    """Drop the leases table."""
    op.drop_table("leases")

"""Leases: one replica at a time runs the relay and the other singleton loops.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.schema_ops import create_leases

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the leases table."""
    create_leases()


def downgrade() -> None:
    """Drop the leases table."""
    op.drop_table("leases")

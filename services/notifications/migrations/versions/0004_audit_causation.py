"""The audit trail keeps each event's causation id (outside the hash chain), to link causes and effects.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add audit_entries.causation_id (entries recorded before stay without one)."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("causation_id", sa.String(100)))
        batch.create_index("ix_audit_entries_causation_id", ["causation_id"])
        batch.create_index("ix_audit_entries_correlation_id", ["correlation_id"])


def downgrade() -> None:
    """Drop audit_entries.causation_id."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_index("ix_audit_entries_correlation_id")
        batch.drop_index("ix_audit_entries_causation_id")
        batch.drop_column("causation_id")

"""The trace context of each audited event (outside the hash chain), so the console links its trace.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add audit_entries.traceparent (empty for events recorded untraced)."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(60)))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("traceparent")

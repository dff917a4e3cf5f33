"""Where each audited event was read (partition and offset, outside the hash chain): the console shows
them and finds an event by them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add audit_entries.partition and .offset (empty for entries audited before)."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("partition", sa.Integer))
        batch.add_column(sa.Column("offset", sa.BigInteger))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("offset")
        batch.drop_column("partition")

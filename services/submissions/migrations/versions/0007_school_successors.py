"""The registry view keeps the school each merged school went into, so a successor's system answers for it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add reg_schools.merged_into (filled by the registry view; rebuild the view to fill existing rows)."""
    with op.batch_alter_table("reg_schools") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(64)))


def downgrade() -> None:
    """Drop reg_schools.merged_into."""
    with op.batch_alter_table("reg_schools") as batch:
        batch.drop_column("merged_into")

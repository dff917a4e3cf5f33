"""The registry view keeps each school's code, so a provincial system reads the schools of its code.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add reg_schools.code (filled by the registry view; rebuild the view to fill existing rows)."""
    with op.batch_alter_table("reg_schools") as batch:
        batch.add_column(sa.Column("code", sa.String(32)))
        batch.create_index("ix_reg_schools_code", ["code"])


def downgrade() -> None:
    """Drop reg_schools.code."""
    with op.batch_alter_table("reg_schools") as batch:
        batch.drop_index("ix_reg_schools_code")
        batch.drop_column("code")

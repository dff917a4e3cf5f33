"""Event store and the schools table.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.schema_ops import create_event_store

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the event store and the schools table."""
    create_event_store()
    op.create_table(
        "schools",
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(40)),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    """Drop everything this revision created."""
    op.drop_table("schools")
    op.drop_table("relay_progress")
    op.drop_table("events")

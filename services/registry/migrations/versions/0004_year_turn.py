"""The year's turn: nominations of next year's leadership, carried clusters, the nominations consumer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType
from shared.schema_ops import create_tracking

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the nominations and tracking tables; clusters remember the cluster they continue."""
    create_tracking()
    op.create_table(
        "nominations",
        sa.Column("cluster_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("head_school_id", sa.String(64)),
        sa.Column("deputy_school_ids", JSONType, nullable=False),
        sa.Column("submission_id", sa.String(64)),
        sa.Column("confirmed_head_school_id", sa.String(64)),
        sa.Column("confirmed_deputy_school_ids", JSONType),
        sa.Column("decision", sa.String(2000)),
    )
    with op.batch_alter_table("clusters") as batch:
        batch.add_column(sa.Column("carried_from", sa.String(64)))
        batch.create_index("ix_clusters_carried_from", ["carried_from"])


def downgrade() -> None:
    """Drop what the upgrade added."""
    with op.batch_alter_table("clusters") as batch:
        batch.drop_index("ix_clusters_carried_from")
        batch.drop_column("carried_from")
    op.drop_table("nominations")
    op.drop_table("processed_events")

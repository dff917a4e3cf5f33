"""School status and lineage, clusters with members and leadership, campaigns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add school status and lineage columns, and the cluster and campaign tables."""
    with op.batch_alter_table("schools") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="active"))
        batch.add_column(sa.Column("valid_to", sa.Date))
        batch.add_column(sa.Column("successor_id", sa.String(64)))
        batch.add_column(sa.Column("merge_basis", sa.String(2000)))
    op.create_table(
        "clusters",
        sa.Column("cluster_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("region", sa.String(300), nullable=False),
        sa.Column("head_school_id", sa.String(64)),
        sa.Column("deputy_school_ids", JSONType, nullable=False),
        sa.Column("sample_data", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("year", "name", name="uq_clusters_year_name"),
    )
    op.create_table(
        "cluster_members",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("cluster_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_cluster_members_cluster_id", "cluster_members", ["cluster_id"])
    op.create_table(
        "campaigns",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("content", JSONType, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    """Drop what this revision added."""
    op.drop_table("campaigns")
    op.drop_table("cluster_members")
    op.drop_table("clusters")
    with op.batch_alter_table("schools") as batch:
        for column in ("merge_basis", "successor_id", "valid_to", "status"):
            batch.drop_column(column)

"""Each cluster's name (the results mail names it) and the digest of the last results mailed for it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create n_clusters (filled from ClusterFormed when the notices are read again)."""
    op.create_table(
        "n_clusters",
        sa.Column("cluster_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("results_digest", sa.String(64)),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("n_clusters")

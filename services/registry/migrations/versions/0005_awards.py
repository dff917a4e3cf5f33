"""The awards: the clusters' proposals as drafted, the year's decision, the register.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the proposals, decisions and awards tables."""
    op.create_table(
        "award_proposals",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("award", sa.String(32), primary_key=True),
        sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("final", sa.Float, nullable=False),
        sa.Column("vote_share", sa.Float),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_table(
        "award_decisions",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("signer_title", sa.String(200), nullable=False),
        sa.Column("verdicts", JSONType, nullable=False),
    )
    op.create_table(
        "awards",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("award", sa.String(32), primary_key=True),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    """Drop what the upgrade added."""
    op.drop_table("awards")
    op.drop_table("award_decisions")
    op.drop_table("award_proposals")

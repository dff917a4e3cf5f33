"""Tracking rows and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, Position
from shared.schema_ops import create_tracking

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tracking table and the audit trail."""
    create_tracking()
    op.create_table(
        "audit_entries",
        sa.Column("seq", Position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("stream_id", sa.String(200), nullable=False),
        sa.Column("stream_version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("correlation_id", sa.String(100)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", JSONType, nullable=False),
    )
    op.create_index("ix_audit_entries_stream_id", "audit_entries", ["stream_id"])


def downgrade() -> None:
    """Drop everything this revision created."""
    op.drop_table("audit_entries")
    op.drop_table("processed_events")

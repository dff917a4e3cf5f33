"""event store, registry view and filings

Revision ID: 0001
Revises:
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shared.db

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the event store, tracking, the registry view and the filings tables."""
    op.create_table(
        "confirmations",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("copy", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("year", "school_id", "copy"),
    )
    op.create_table(
        "eligibility",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("year", "school_id"),
    )
    op.create_table(
        "events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("stream_version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
    )
    op.create_table(
        "exemptions",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("year", "deadline_code", "filer_id"),
    )
    op.create_table(
        "missed_deadlines",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "deadline_code", "filer_id"),
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "reg_campaigns",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "reg_clusters",
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("head_school_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("cluster_id"),
    )
    with op.batch_alter_table("reg_clusters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_clusters_year"), ["year"], unique=False)

    op.create_table(
        "reg_members",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "school_id"),
    )
    with op.batch_alter_table("reg_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reg_members_cluster_id"), ["cluster_id"], unique=False)

    op.create_table(
        "reg_schools",
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "relay_progress",
        sa.Column("relay", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("relay"),
    )
    op.create_table(
        "submissions",
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("filer_type", sa.String(length=16), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("filed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("amendments", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_year_filer", ["year", "filer_id"], unique=False)


def downgrade() -> None:
    """Drop every table this revision created."""
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_year_filer")

    op.drop_table("submissions")
    op.drop_table("relay_progress")
    op.drop_table("reg_schools")
    with op.batch_alter_table("reg_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_members_cluster_id"))

    op.drop_table("reg_members")
    with op.batch_alter_table("reg_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reg_clusters_year"))

    op.drop_table("reg_clusters")
    op.drop_table("reg_campaigns")
    op.drop_table("processed_events")
    op.drop_table("missed_deadlines")
    op.drop_table("exemptions")
    op.drop_table("events")
    op.drop_table("eligibility")
    op.drop_table("confirmations")

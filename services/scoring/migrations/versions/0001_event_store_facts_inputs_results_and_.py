"""event store, facts, inputs, results and published

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
    """Create the event store, tracking, facts, inputs log, results and published tables."""
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
        "f_campaigns",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "f_exemptions",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "deadline_code", "filer_id"),
    )
    op.create_table(
        "f_filings",
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("filed_at", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    with op.batch_alter_table("f_filings", schema=None) as batch_op:
        batch_op.create_index("ix_f_filings_year_cluster", ["year", "cluster_id"], unique=False)

    op.create_table(
        "f_ineligible",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "school_id"),
    )
    op.create_table(
        "f_members",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "school_id"),
    )
    with op.batch_alter_table("f_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_f_members_cluster_id"), ["cluster_id"], unique=False)

    op.create_table(
        "f_missed",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline_code", sa.String(length=32), nullable=False),
        sa.Column("filer_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "deadline_code", "filer_id"),
    )
    op.create_table(
        "f_schools",
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "inputs",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inputs_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "published",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("year", "kind", "subject_id"),
    )
    op.create_table(
        "relay_progress",
        sa.Column("relay", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("relay"),
    )
    op.create_table(
        "results",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("year", "kind", "subject_id"),
    )


def downgrade() -> None:
    """Drop every table this revision created."""
    op.drop_table("results")
    op.drop_table("relay_progress")
    op.drop_table("published")
    op.drop_table("processed_events")
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inputs_occurred_at"))

    op.drop_table("inputs")
    op.drop_table("f_schools")
    op.drop_table("f_missed")
    with op.batch_alter_table("f_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_f_members_cluster_id"))

    op.drop_table("f_members")
    op.drop_table("f_ineligible")
    with op.batch_alter_table("f_filings", schema=None) as batch_op:
        batch_op.drop_index("ix_f_filings_year_cluster")

    op.drop_table("f_filings")
    op.drop_table("f_exemptions")
    op.drop_table("f_campaigns")
    op.drop_table("events")

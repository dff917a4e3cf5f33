"""A filer's one filing of a one-off form, keyed so that a second one cannot be recorded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REPEATABLE = ("KIEM_TRA",)
"""The forms filed any number of times when this revision was written (an inspection's minutes)."""


def upgrade() -> None:
    """Create one_off_filings and fill it from the filings kept (the first by id should a filer have two)."""
    op.create_table(
        "one_off_filings",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("form", sa.String(32), primary_key=True),
        sa.Column("filer_id", sa.String(64), primary_key=True),
        sa.Column("submission_id", sa.String(64), nullable=False),
    )
    submissions = sa.table(
        "submissions",
        sa.column("year", sa.Integer),
        sa.column("form", sa.String),
        sa.column("filer_id", sa.String),
        sa.column("submission_id", sa.String),
    )
    kept = (
        sa.select(
            submissions.c.year,
            submissions.c.form,
            submissions.c.filer_id,
            sa.func.min(submissions.c.submission_id),
        )
        .where(submissions.c.form.not_in(REPEATABLE))
        .group_by(submissions.c.year, submissions.c.form, submissions.c.filer_id)
    )
    target = sa.table(
        "one_off_filings",
        sa.column("year"),
        sa.column("form"),
        sa.column("filer_id"),
        sa.column("submission_id"),
    )
    op.execute(target.insert().from_select(["year", "form", "filer_id", "submission_id"], kept))


def downgrade() -> None:
    """Drop it."""
    op.drop_table("one_off_filings")

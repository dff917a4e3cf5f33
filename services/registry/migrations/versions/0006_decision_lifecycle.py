"""Award decisions with a life: several a year (main and supplementary), drafts, corrections, revocations,
and the Form 09 copies a decision checks each award's dossier against.

The year's one decision row becomes one row per decision (its corrections kept beside it), drafts get a
table, and the register keeps the name an award was given under and its revocation. Existing decisions
are copied as the year's main decision, uncorrected.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def particulars() -> list[sa.Column[object]]:
    """Return new columns of a decision's number, signer and verdicts (a column belongs to one table)."""
    return [
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("signer_title", sa.String(200), nullable=False),
        sa.Column("verdicts", JSONType, nullable=False),
    ]


def upgrade() -> None:
    """Create decisions and drafts, copy the issued decisions across, add the register's columns."""
    decisions = op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        *particulars(),
        sa.Column("corrections", JSONType, nullable=False),
        sa.Column("legal_basis", sa.String(2000)),
        sa.Column("paper_sha256", sa.String(64)),
    )
    op.create_table(
        "decision_papers",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("pdf", sa.Text, nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.String(300), nullable=False),
    )
    op.create_table(
        "form_09_copies",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("copy", sa.Integer, primary_key=True),
    )
    op.create_table(
        "decision_drafts",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("signed_on", sa.Date),
        *particulars(),
    )
    old = sa.table(
        "award_decisions",
        *[sa.column(n) for n in ("year", "decision_id", "number", "signer_name", "signer_title")],
        sa.column("signed_on", sa.Date),
        sa.column("verdicts", JSONType),
    )
    rows = [dict(r) for r in op.get_bind().execute(sa.select(old)).mappings()]
    if rows:
        op.bulk_insert(decisions, [{**r, "kind": "main", "corrections": []} for r in rows])
    op.drop_table("award_decisions")
    with op.batch_alter_table("awards") as awards:
        awards.add_column(sa.Column("school_name", sa.String(300)))
        awards.add_column(sa.Column("revoked_reason", sa.String(2000)))
        awards.add_column(sa.Column("revoked_basis", sa.String(2000)))
        awards.add_column(sa.Column("override_reason", sa.String(2000)))


def downgrade() -> None:
    """Keep the main decision of each year in the one-row-a-year table again; drop the rest."""
    with op.batch_alter_table("awards") as awards:
        awards.drop_column("override_reason")
        awards.drop_column("revoked_basis")
        awards.drop_column("revoked_reason")
        awards.drop_column("school_name")
    old = op.create_table(
        "award_decisions",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("signed_on", sa.Date, nullable=False),
        *particulars(),
    )
    decisions = sa.table(
        "decisions",
        *[sa.column(n) for n in ("year", "decision_id", "kind", "number", "signer_name", "signer_title")],
        sa.column("signed_on", sa.Date),
        sa.column("verdicts", JSONType),
    )
    main = sa.select(decisions).where(decisions.c.kind == "main")
    rows = [{k: v for k, v in r.items() if k != "kind"} for r in op.get_bind().execute(main).mappings()]
    if rows:
        op.bulk_insert(old, rows)
    op.drop_table("decision_drafts")
    op.drop_table("form_09_copies")
    op.drop_table("decision_papers")
    op.drop_table("decisions")

"""The key table of personal data: one data key per person the filings name, wrapped by the master key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create personal_keys (subject id, keyed lookup, wrapped key, sealed profile, where seen, erasure)."""
    op.create_table(
        "personal_keys",
        sa.Column("subject_id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("lookup", sa.String(64), unique=True),
        sa.Column("wrapped_key", sa.LargeBinary),
        sa.Column("wrapped_by", sa.String(16)),
        sa.Column("profile", sa.Text),
        sa.Column("context", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("erased_at", UTCDateTime),
        sa.Column("erasure_reason", sa.Text),
    )


def downgrade() -> None:
    """Drop the key table (every sealed value then reads as erased)."""
    op.drop_table("personal_keys")

"""Room for sealed personal values: officers' names and e-mails, and notice recipients, hold tokens.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Widen n_officers.email and .name and notices.recipient to 2000 characters."""
    with op.batch_alter_table("n_officers") as batch:
        batch.alter_column("email", type_=sa.String(2000), existing_nullable=False)
        batch.alter_column("name", type_=sa.String(2000), existing_nullable=False)
    with op.batch_alter_table("notices") as batch:
        batch.alter_column("recipient", type_=sa.String(2000), existing_nullable=False)


def downgrade() -> None:
    """Narrow them back (fails while a sealed value is longer)."""
    with op.batch_alter_table("notices") as batch:
        batch.alter_column("recipient", type_=sa.String(200), existing_nullable=False)
    with op.batch_alter_table("n_officers") as batch:
        batch.alter_column("name", type_=sa.String(200), existing_nullable=False)
        batch.alter_column("email", type_=sa.String(200), existing_nullable=False)

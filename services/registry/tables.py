"""The registry database: the event store plus the schools table the write side keeps in step."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import event_store_tables

metadata = sa.MetaData()
events, relay_progress = event_store_tables(metadata)

schools = sa.Table(
    "schools",
    metadata,
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("province", sa.String(100), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("email", sa.String(200)),
    sa.Column("phone", sa.String(40)),
    sa.Column("version", sa.Integer, nullable=False),
)

"""The notifications database: tracking rows and the audit trail."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import JSONType, Position, UTCDateTime, tracking_table

metadata = sa.MetaData()
processed_events = tracking_table(metadata)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("seq", Position, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("stream_id", sa.String(200), nullable=False, index=True),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("actor", sa.String(200)),
    sa.Column("correlation_id", sa.String(100)),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("data", JSONType, nullable=False),
)

"""The scoring database: event store, tracking, the facts of each year, and the latest results."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import POSITIONS, JSONType, Position, UTCDateTime, event_store_tables, tracking_table
from shared.leases import lease_table

metadata = sa.MetaData()
events, relay_progress = event_store_tables(metadata)
processed_events = tracking_table(metadata)
consumer_positions = metadata.tables[POSITIONS]
leases = lease_table(metadata)

campaigns = sa.Table(
    "f_campaigns",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("content", JSONType, nullable=False),
)
schools = sa.Table(
    "f_schools",
    metadata,
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
)
members = sa.Table(
    "f_members",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
)
filings = sa.Table(
    "f_filings",
    metadata,
    sa.Column("submission_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("form", sa.String(32), nullable=False),
    sa.Column("filer_id", sa.String(64), nullable=False),
    sa.Column("cluster_id", sa.String(64), nullable=False),
    sa.Column("deadline_code", sa.String(32)),
    sa.Column("on_time", sa.Boolean),
    sa.Column("filed_at", sa.String(40), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Index("ix_f_filings_year_cluster", "year", "cluster_id"),
)
missed = sa.Table(
    "f_missed",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("deadline_code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
)
exemptions = sa.Table(
    "f_exemptions",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("deadline_code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
)
ineligible = sa.Table(
    "f_ineligible",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
)
inputs = sa.Table(
    "inputs",
    metadata,
    sa.Column("seq", Position, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False, index=True),
    sa.Column("data", JSONType, nullable=False),
)
results = sa.Table(
    "results",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("subject_id", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("body", JSONType, nullable=False),
)
published = sa.Table(
    "published",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("subject_id", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("body", JSONType, nullable=False),
)
"""What was last published per result: the publisher's memory, kept (like the events) through a rebuild."""
rebuilds = sa.Table(
    "rebuilds",
    metadata,
    sa.Column("rebuild_id", sa.String(40), primary_key=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("done", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("published", sa.Integer),
    sa.Column("error", sa.String(2000)),
)
"""Each rebuild beside the live read model and how far it got, for the CLI and the console."""
FACT_TABLES = (campaigns, schools, members, filings, missed, exemptions, ineligible)

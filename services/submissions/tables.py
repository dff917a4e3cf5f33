"""The submissions database: event store, tracking, the registry view, and the filings' state."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import POSITIONS, JSONType, UTCDateTime, event_store_tables, tracking_table
from shared.leases import lease_table
from shared.personal import personal_key_table

metadata = sa.MetaData()
events, relay_progress = event_store_tables(metadata)
processed_events = tracking_table(metadata)
sa.Index("ix_processed_events_processed_at", processed_events.c.processed_at)
consumer_positions = metadata.tables[POSITIONS]
"""The data version of kept answers (shared.readcache) reads when a consumer last moved its position."""
leases = lease_table(metadata)
personal_keys = personal_key_table(metadata)
"""The data keys of the people the filings name (Form 03's officers, Form 09's signatories)."""

# The registry as submissions sees it (kept by the registry-view consumer).
schools = sa.Table(
    "reg_schools",
    metadata,
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("code", sa.String(32), index=True),  # who an integration principal of that code reads
    sa.Column("merged_into", sa.String(64)),  # the successor of a merged school, whose system answers for it
)
clusters = sa.Table(
    "reg_clusters",
    metadata,
    sa.Column("cluster_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("head_school_id", sa.String(64)),
)
members = sa.Table(
    "reg_members",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
)
campaigns = sa.Table(
    "reg_campaigns",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("content", JSONType, nullable=False),
)

# The filings' state, written with their events.
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("submission_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("form", sa.String(32), nullable=False),
    sa.Column("filer_type", sa.String(16), nullable=False),
    sa.Column("filer_id", sa.String(64), nullable=False),
    sa.Column("cluster_id", sa.String(64), nullable=False),
    sa.Column("deadline_code", sa.String(32)),
    sa.Column("due", sa.Date),
    sa.Column("filed_at", UTCDateTime, nullable=False),
    sa.Column("on_time", sa.Boolean),
    sa.Column("amendments", sa.Integer, nullable=False),
    sa.Column("reopened", sa.Boolean, nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("documents", JSONType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("review_state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("review_reason", sa.String(2000)),
    sa.Column("reviewed_at", UTCDateTime),
    sa.Column("reviewer", sa.String(200)),
    sa.Index("ix_submissions_year_filer", "year", "filer_id"),
)
one_off_filings = sa.Table(
    "one_off_filings",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("form", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
    sa.Column("submission_id", sa.String(64), nullable=False),
)
"""A filer's one filing of a one-off form in a year. Its key is the rule "a one-off form is filed once":
a second filing fails at its insert whatever lock its writer decided under (a replica of an older release
during a rolling deploy takes the service's write lock, not the filer's)."""
missed = sa.Table(
    "missed_deadlines",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("deadline_code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
)
exemptions = sa.Table(
    "exemptions",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("deadline_code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(2000), nullable=False),
)
eligibility = sa.Table(
    "eligibility",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("eligible", sa.Boolean, nullable=False),
    sa.Column("reason", sa.String(2000), nullable=False),
)
confirmations = sa.Table(
    "confirmations",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("copy", sa.Integer, primary_key=True),
    sa.Column("confirmed_by", sa.String(100), nullable=False),
)

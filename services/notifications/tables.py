"""The notifications database: tracking, the audit trail, what reminders need, notices and webhooks."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import JSONType, Position, UTCDateTime, tracking_table
from shared.leases import lease_table

metadata = sa.MetaData()
processed_events = tracking_table(metadata)
leases = lease_table(metadata)

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
    sa.Column("correlation_id", sa.String(100), index=True),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("school_id", sa.String(64), index=True),
    sa.Column("cluster_id", sa.String(64), index=True),
    sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""),
    sa.Column("hash", sa.String(64), nullable=False, server_default=""),
    sa.Column("causation_id", sa.String(100), index=True),  # outside the chain: entries before it have none
    sa.Column("traceparent", sa.String(60)),  # outside the chain too: where the console links the trace
    sa.Column("partition", sa.Integer),  # outside the chain: where the record was read, to find it again
    sa.Column("offset", sa.BigInteger),
)

# What reminders and recipients need, kept from registry and submissions events.
deadlines = sa.Table(
    "n_deadlines",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(2000), nullable=False),
    sa.Column("forms", JSONType, nullable=False),
    sa.Column("filer", sa.String(20), nullable=False),
    sa.Column("due", sa.Date, nullable=False),
)
filer_dues = sa.Table(
    "n_filer_dues",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
    sa.Column("due", sa.Date, nullable=False),
)
"""A single filer's own later day for a deadline (an extension for it alone)."""
schools = sa.Table(
    "n_schools",
    metadata,
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(300), nullable=False),
)
members = sa.Table(
    "n_members",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
)
clusters = sa.Table(
    "n_clusters",
    metadata,
    sa.Column("cluster_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column(
        "results_digest", sa.String(64)
    ),  # of the last results mailed: a same table is not mailed again
)
heads = sa.Table(
    "n_heads",
    metadata,
    sa.Column("cluster_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("head_school_id", sa.String(64), nullable=False),
)
officers = sa.Table(
    "n_officers",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(2000), primary_key=True),  # sealed (shared.personal): opened to send
    sa.Column("name", sa.String(2000), nullable=False),
)
filed = sa.Table(
    "n_filed",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
    sa.Column("form", sa.String(32), primary_key=True),
)
exempt = sa.Table(
    "n_exempt",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("deadline_code", sa.String(32), primary_key=True),
    sa.Column("filer_id", sa.String(64), primary_key=True),
)

# Notices: one row per recipient and reason, never two (the key is unique); e-mail is sent from here.
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", Position, primary_key=True, autoincrement=True),
    sa.Column("notice_key", sa.String(300), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("recipient", sa.String(2000), nullable=False),  # an inbox, a mailbox, or a sealed e-mail
    sa.Column("inbox", sa.String(100), nullable=False, index=True),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("email_status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_error", sa.String(2000)),
    sa.Column("read_at", UTCDateTime),
)

subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("event_types", JSONType, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", Position, primary_key=True, autoincrement=True),
    sa.Column("subscription_id", sa.String(40), nullable=False, index=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", sa.String(2000)),
    sa.Column("delivered_at", UTCDateTime),
    sa.UniqueConstraint("subscription_id", "event_id", name="uq_delivery_once"),
)

"""The registry database: the event store plus the state tables kept in step with it."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import JSONType, event_store_tables, tracking_table
from shared.leases import lease_table

metadata = sa.MetaData()
events, relay_progress = event_store_tables(metadata)
leases = lease_table(metadata)
processed_events = tracking_table(metadata)

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
    sa.Column("status", sa.String(20), nullable=False, server_default="active"),
    sa.Column("valid_to", sa.Date),
    sa.Column("successor_id", sa.String(64)),
    sa.Column("merge_basis", sa.String(2000)),
)

clusters = sa.Table(
    "clusters",
    metadata,
    sa.Column("cluster_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("region", sa.String(300), nullable=False),
    sa.Column("head_school_id", sa.String(64)),
    sa.Column("deputy_school_ids", JSONType, nullable=False),
    sa.Column("sample_data", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("carried_from", sa.String(64), index=True),
    sa.UniqueConstraint("year", "name", name="uq_clusters_year_name"),
)

cluster_members = sa.Table(
    "cluster_members",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
)

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("content", JSONType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

nominations = sa.Table(
    "nominations",
    metadata,
    sa.Column("cluster_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("head_school_id", sa.String(64)),
    sa.Column("deputy_school_ids", JSONType, nullable=False),
    sa.Column("submission_id", sa.String(64)),
    sa.Column("confirmed_head_school_id", sa.String(64)),
    sa.Column("confirmed_deputy_school_ids", JSONType),
    sa.Column("decision", sa.String(2000)),
)
"""Per cluster of a year: next year's leadership as nominated by its dossier and as the Academy confirmed."""

award_proposals = sa.Table(
    "award_proposals",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("award", sa.String(32), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("final", sa.Float, nullable=False),
    sa.Column("vote_share", sa.Float),
    sa.Column("revision", sa.Integer, nullable=False),
)
"""The clusters' award proposals as scoring last drafted them (its AwardProposalDrafted), for the decision."""

form_09_copies = sa.Table(
    "form_09_copies",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("copy", sa.Integer, primary_key=True),
)
"""Each confirmed copy of a school's Form 09 (submissions' confirmations, less those voided): a school's
dossier for an award is complete with both copies."""

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("signer_name", sa.String(200), nullable=False),
    sa.Column("signer_title", sa.String(200), nullable=False),
    sa.Column("verdicts", JSONType, nullable=False),
    sa.Column("corrections", JSONType, nullable=False),
    sa.Column("legal_basis", sa.String(2000)),
    sa.Column("paper_sha256", sa.String(64)),
)
"""Every issued award decision of a year (the main one and any supplementary), its particulars as now
corrected, the corrections made (each with its reason and what it changed), and every verdict as issued."""

decision_papers = sa.Table(
    "decision_papers",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("pdf", sa.Text, nullable=False),
    sa.Column("pdf_sha256", sa.String(64), nullable=False),
    sa.Column("signed_by", sa.String(300), nullable=False),
)
"""Each issued decision's signed PDF as last signed (base64, from its DecisionPaperSigned)."""

decision_drafts = sa.Table(
    "decision_drafts",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("signed_on", sa.Date),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("signer_name", sa.String(200), nullable=False),
    sa.Column("signer_title", sa.String(200), nullable=False),
    sa.Column("verdicts", JSONType, nullable=False),
)
"""A decision's draft as last saved, until it is issued."""

awards = sa.Table(
    "awards",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("school_id", sa.String(64), primary_key=True),
    sa.Column("award", sa.String(32), primary_key=True),
    sa.Column("cluster_id", sa.String(64), nullable=False),
    sa.Column("decision_id", sa.String(64), nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("school_name", sa.String(300)),
    sa.Column("revoked_reason", sa.String(2000)),
    sa.Column("revoked_basis", sa.String(2000)),
    sa.Column("override_reason", sa.String(2000)),
)
"""The award register: every award granted, by year and school, under the name it was given to (none
for awards given before names were recorded), its revocation if revoked, and why it was given on an
incomplete dossier when it was."""

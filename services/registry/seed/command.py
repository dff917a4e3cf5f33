"""Seed the registry: the 2023 campaign, schools and clusters, then the 2025 mergers; idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from services.registry.app import campaigns, clusters, schools
from services.registry.domain.schools import RegisterSchool
from services.registry.seed import clusters_2023, mergers_2025, schools_2023
from services.registry.seed.campaign_2023 import campaign_2023
from services.registry.tables import campaigns as campaigns_table
from services.registry.tables import clusters as clusters_table
from services.registry.tables import schools as schools_table
from shared.eventstore import Context
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
SEED = Context(actor="system:seed")
SCHOOLS_VALID_FROM = date(2021, 1, 1)


@dataclass
class SeedReport:
    """How many things the seed created (zero everywhere on a second run)."""

    campaigns: int = 0
    schools: int = 0
    clusters: int = 0
    mergers: int = 0


def seed(registry: UnitOfWork) -> SeedReport:
    """Create what is missing of the seed data, through the same use cases as the API."""
    report = SeedReport()
    if not _exists(registry, campaigns_table.c.year, 2023):
        campaigns.open_campaign(registry, campaign_2023(), SEED)
        report.campaigns += 1
    for school in [*schools_2023.PROVINCIAL, *schools_2023.MINISTRY]:
        school_id = schools_2023.school_id(school.code)
        if not _exists(registry, schools_table.c.school_id, school_id):
            command = RegisterSchool(
                school.code, school.name, school.kind, school.province, SCHOOLS_VALID_FROM
            )
            schools.register_school(registry, command, SEED, school_id=school_id)
            report.schools += 1
    for cluster in clusters_2023.CLUSTERS:
        cluster_id = clusters_2023.cluster_id(cluster.key)
        if not _exists(registry, clusters_table.c.cluster_id, cluster_id):
            _form_cluster(registry, cluster, cluster_id)
            report.clusters += 1
    for merger in mergers_2025.MERGERS:
        if not _exists(registry, schools_table.c.code, merger.code):
            new_successor = RegisterSchool(
                merger.code, merger.name, "provincial", merger.province, mergers_2025.EFFECTIVE
            )
            predecessors = [schools_2023.school_id(code) for code in merger.predecessors]
            schools.merge_schools(
                registry,
                predecessors,
                None,
                new_successor,
                mergers_2025.EFFECTIVE,
                mergers_2025.LEGAL_BASIS,
                SEED,
                new_successor_id=schools_2023.school_id(merger.code),
            )
            report.mergers += 1
    log.info("seed done", extra={"seed_created": report.__dict__})
    return report


def _form_cluster(registry: UnitOfWork, cluster: clusters_2023.SeedCluster, cluster_id: str) -> None:
    members = [
        schools_2023.school_id(s.code)
        for s in [*schools_2023.PROVINCIAL, *schools_2023.MINISTRY]
        if s.cluster == cluster.key
    ]
    head = schools_2023.school_id(cluster.head)
    deputies = [schools_2023.school_id(code) for code in cluster.deputies]
    decision = "Dữ liệu mẫu" if cluster.sample_data else "Cụm trưởng năm 2023 (đã xác nhận)"
    clusters.form_cluster(
        registry,
        clusters_2023.YEAR,
        cluster.name,
        cluster.region,
        members,
        (head, deputies, decision),
        SEED,
        cluster_id=cluster_id,
        sample_data=cluster.sample_data,
    )


def _exists(registry: UnitOfWork, column: sa.Column[Any], value: object) -> bool:
    with registry.transaction() as conn:
        return conn.execute(sa.select(column).where(column == value)).first() is not None

"""What a caller may read: the Academy and operators everything, others their own schools and cluster.

| role | reads |
|---|---|
| academy_admin | everything, with the personal data of Form 03 |
| operator | everything, without personal data |
| cluster_head (cluster) | its cluster and the schools in it, with the personal data of its cluster |
| school_officer (school) | its own school |
| integration (code) | the schools bearing its province's or ministry's code |
| provincial_viewer (code) | the same schools, read only (every write names the roles it allows) |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.auth import (
    ACADEMY_ADMIN,
    CLUSTER_HEAD,
    INTEGRATION,
    OPERATOR,
    PROVINCIAL_VIEWER,
    SCHOOL_OFFICER,
    Principal,
)
from shared.errors import Forbidden


@dataclass(frozen=True)
class Scope:
    """The schools and clusters one caller may read, and whose personal data it may see."""

    everything: bool = False
    personal_everywhere: bool = False
    schools: frozenset[str] = frozenset()
    clusters: frozenset[str] = frozenset()

    def school(self, school_id: str | None, cluster_id: str | None = None) -> bool:
        """Return whether the caller reads a school (in a cluster, in a given year)."""
        return self.everything or school_id in self.schools or cluster_id in self.clusters

    def cluster(self, cluster_id: str | None) -> bool:
        """Return whether the caller reads a cluster as a whole (its table, its proposals)."""
        return self.everything or cluster_id in self.clusters

    def personal(self, cluster_id: str | None) -> bool:
        """Return whether the caller sees the personal data (names, e-mails, phones) of a cluster."""
        return self.personal_everywhere or cluster_id in self.clusters

    def require_school(self, school_id: str, cluster_id: str | None = None) -> None:
        """Refuse (403) a caller who may not read a school."""
        if not self.school(school_id, cluster_id):
            raise Forbidden(f"you may not read school {school_id}", {"school_id": school_id})

    def require_cluster(self, cluster_id: str) -> None:
        """Refuse (403) a caller who may not read a cluster as a whole."""
        if not self.cluster(cluster_id):
            raise Forbidden(f"you may not read cluster {cluster_id}", {"cluster_id": cluster_id})


def scope_of(principal: Principal, schools_with_code: Callable[[str], Iterable[str]]) -> Scope:
    """Return what a principal reads; ``schools_with_code`` names the schools bearing a code."""
    tenant = principal.tenant or ""
    if principal.role == ACADEMY_ADMIN:
        return Scope(everything=True, personal_everywhere=True)
    if principal.role == OPERATOR:
        return Scope(everything=True)
    if principal.role == CLUSTER_HEAD:
        return Scope(clusters=frozenset({tenant}))
    if principal.role == SCHOOL_OFFICER:
        return Scope(schools=frozenset({tenant}))
    if principal.role in (INTEGRATION, PROVINCIAL_VIEWER):
        return Scope(schools=frozenset(schools_with_code(tenant)))
    return Scope()

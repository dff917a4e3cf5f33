"""The clusters' award proposals and the schools' Form 09 copies, taken into the registry so that the
Academy decides on them.

Scoring drafts each cluster's proposals (``AwardProposalDrafted``, a revision per recomputation); the
registry keeps the newest revision of each cluster, which is what a decision is checked against. The
tracking row of the consumer makes each draft count once; an older revision arriving late changes nothing.
Submissions records each confirmed copy of a school's Form 09 and each one voided (one stream per copy,
so they arrive in order): the registry keeps the copies standing, which a decision checks each award's
dossier against. The decisions themselves are the registry's own events: a rebuild of this view never
touches them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry.contracts import CONSUMED
from services.registry.tables import award_proposals, form_09_copies
from services.vocabulary import SCORING_TOPIC, SUBMISSIONS_TOPIC
from shared.consumer import Consumed
from shared.envelope import Envelope
from shared.handlers import Handlers


class ProposalsView:
    """Read model of each cluster's newest drafted proposals and each school's Form 09 copies standing
    (rebuilt from the scoring and submissions topics)."""

    name = "registry-proposals"
    topics = (SCORING_TOPIC, SUBMISSIONS_TOPIC)

    def __init__(self) -> None:
        self.handlers: Handlers[None] = Handlers(self.name)
        self.handlers.on("AwardProposalDrafted")(self._drafted)
        self.handlers.on("AchievementReportConfirmed")(self._confirmed)
        self.handlers.on("AchievementReportConfirmationVoided")(self._voided)
        self.handlers.check(CONSUMED)

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Keep a draft of proposals (scoring's other results are not the registry's)."""
        self.handlers.apply(conn, consumed.event, consumed.data)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the proposals and the copies, to read them again from the topics."""
        conn.execute(award_proposals.delete())
        conn.execute(form_09_copies.delete())

    def _confirmed(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
        row = {"year": data["year"], "school_id": data["school_id"], "copy": data["copy"]}
        if conn.execute(sa.select(form_09_copies).filter_by(**row)).first() is None:
            conn.execute(form_09_copies.insert().values(**row))

    def _voided(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
        conn.execute(
            form_09_copies.delete().where(
                (form_09_copies.c.year == data["year"])
                & (form_09_copies.c.school_id == data["school_id"])
                & (form_09_copies.c.copy == data["copy"])
            )
        )

    def _drafted(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
        where = sa.and_(
            award_proposals.c.year == data["year"], award_proposals.c.cluster_id == data["cluster_id"]
        )
        kept = conn.execute(sa.select(sa.func.max(award_proposals.c.revision)).where(where)).scalar()
        if kept is not None and kept >= data["revision"]:
            return
        conn.execute(award_proposals.delete().where(where))
        rows = [
            {
                "year": data["year"],
                "cluster_id": data["cluster_id"],
                "revision": data["revision"],
                "school_id": p["school_id"],
                "award": p["award"],
                "status": p["status"],
                "rank": p["rank"],
                "final": p["final"],
                "vote_share": p.get("vote_share"),
            }
            for p in data["proposals"]
        ]
        if rows:
            conn.execute(award_proposals.insert(), rows)

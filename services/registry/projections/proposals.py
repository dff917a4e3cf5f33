"""The clusters' award proposals, taken into the registry so that the Academy decides on them.

Scoring drafts each cluster's proposals (``AwardProposalDrafted``, a revision per recomputation); the
registry keeps the newest revision of each cluster, which is what a decision is checked against. The
tracking row of the consumer makes each draft count once; an older revision arriving late changes nothing.
The decisions themselves are the registry's own events: a rebuild of this view never touches them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.registry.contracts import CONSUMED
from services.registry.tables import award_proposals
from services.vocabulary import SCORING_TOPIC
from shared.consumer import Consumed
from shared.envelope import Envelope
from shared.handlers import Handlers


class ProposalsView:
    """Read model of each cluster's newest drafted proposals (rebuilt from the scoring topic)."""

    name = "registry-proposals"
    topics = (SCORING_TOPIC,)

    def __init__(self) -> None:
        self.handlers: Handlers[None] = Handlers(self.name)
        self.handlers.on("AwardProposalDrafted")(self._drafted)
        self.handlers.check(CONSUMED)

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Keep a draft of proposals (scoring's other results are not the registry's)."""
        self.handlers.apply(conn, consumed.event, consumed.data)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the proposals, to read them again from the scoring topic."""
        conn.execute(award_proposals.delete())

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

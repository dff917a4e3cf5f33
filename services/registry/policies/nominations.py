"""The cluster dossier's nomination of next year's head and deputies, taken into the registry.

Form 08 (in the dossier, ``HO_SO_CUM``) proposes who leads the cluster next year; the Academy confirms.
Each dossier filed or amended becomes the registry's own ``NextYearLeadershipNominated`` on the cluster's
stream, so the nomination has one history beside the cluster's and the state table answers who is
nominated; the tracking row of the consumer makes each dossier event count once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.forms import DOSSIER_FORM, FORMS
from services.registry.contracts import CONSUMED
from services.registry.domain.clusters import cluster_stream
from services.registry.service import Registry
from services.registry.tables import clusters
from services.vocabulary import AMENDED, SUBMISSIONS_TOPIC
from shared.consumer import Consumed, Policy
from shared.envelope import Envelope
from shared.eventstore import Context, NewEvent
from shared.handlers import Handlers


class NominationsInbox(Policy):
    """Policy that records each dossier's nomination as the registry's own event."""

    name = "registry-nominations"
    topics = (SUBMISSIONS_TOPIC,)

    def __init__(self, service: Registry):
        self.service = service
        self.handlers: Handlers[None] = Handlers(self.name)
        self.handlers.on(FORMS[DOSSIER_FORM].event, AMENDED)(self._dossier)
        self.handlers.check(CONSUMED)

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Record the nomination of a dossier filed or amended (other events are not the registry's)."""
        self.handlers.apply(conn, consumed.event, consumed.data)

    def _dossier(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
        if data["form"] != DOSSIER_FORM:
            return
        known = conn.execute(
            sa.select(clusters.c.year).where(clusters.c.cluster_id == data["cluster_id"])
        ).scalar()
        if known is None:
            return  # a dossier of a cluster the registry never formed: nothing to nominate into
        nomination = data["payload"]["nomination"]
        nominated = NewEvent(
            "NextYearLeadershipNominated",
            {
                "cluster_id": data["cluster_id"],
                "year": data["year"],
                "next_year": data["year"] + 1,
                "head_school_id": nomination["head_school_id"],
                "deputy_school_ids": list(nomination["deputy_school_ids"]),
                "submission_id": data["submission_id"],
            },
        )
        context = Context(
            actor=f"submissions:{event.actor or 'unknown'}",
            correlation_id=event.correlation_id,
            causation_id=event.id,
        )
        self.service.record(conn, cluster_stream(data["cluster_id"]), [nominated], context)

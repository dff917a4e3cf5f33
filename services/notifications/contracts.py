"""What notifications consumes: the topics it follows (the audit trail reads every event as it is)."""

from __future__ import annotations

from shared.catalogue import Catalogue

REGISTRY_TOPIC = "thidua.registry.events"
SUBMISSIONS_TOPIC = "thidua.submissions.events"
SCORING_TOPIC = "thidua.scoring.events"
AUDITED_TOPICS = (REGISTRY_TOPIC, SUBMISSIONS_TOPIC, SCORING_TOPIC)
CATALOGUE = Catalogue()

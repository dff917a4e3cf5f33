"""The provincial feeds: each provincial or ministry system hears of its own schools' awards.

The registry's ``AwardGranted`` and ``AwardRevoked`` carry the school's code, which is the code of the
system that speaks for it (the integration's code: ``HOABINH`` for the school of Hòa Bình);
``AwardDecisionCorrected`` carries the codes of every school the decision awarded. The forwarder copies
each such event from the registry's topic to the outbound topic of each system it concerns, which on a
secured broker only that system's principal may read: a province hears of its own schools' awards and
no others.
"""

from __future__ import annotations

import logging
import re

from services.vocabulary import REGISTRY_TOPIC, outbound_topic
from shared.bus import Bus, OutgoingRecord, Record
from shared.envelope import Envelope, EnvelopeError
from shared.forwarder import Forwarder

FORWARDER = "registry-provincial-feeds"
FOR_PROVINCES = {b"AwardGranted", b"AwardRevoked", b"AwardDecisionCorrected"}
SYSTEM_CODE = re.compile(r"[A-Za-z0-9_-]{1,100}")
"""A code a system's topic can be named by (Kafka's topic names); a school with another code has none."""
log = logging.getLogger(__name__)
"""The registry's events a provincial system hears of, when they concern its schools."""


def provincial_copies(record: Record) -> list[OutgoingRecord]:
    """Return a copy of a registry event for the system of each school it concerns, if it is one for them."""
    if record.header("ce_type") not in FOR_PROVINCES:
        return []
    try:
        envelope = Envelope.from_record(record.key, record.headers, record.value)
    except EnvelopeError:
        return []  # not an event of ours: nothing to tell anyone
    codes = envelope.data.get("school_codes", [envelope.data.get("school_code")])
    copies = []
    for code in codes if isinstance(codes, list) else []:
        if not isinstance(code, str) or not SYSTEM_CODE.fullmatch(code):
            log.warning("award %s: school code %r names no system's topic; not copied", envelope.id, code)
            continue
        copies.append(
            OutgoingRecord(outbound_topic(code), record.key or b"", list(record.headers), record.value or b"")
        )
    return copies


def provincial_feeds(bus: Bus) -> Forwarder:
    """Return the forwarder of the registry's events to the provincial systems' outbound topics."""
    return Forwarder(FORWARDER, bus, (REGISTRY_TOPIC,), provincial_copies)

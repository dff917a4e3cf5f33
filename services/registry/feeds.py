"""The provincial feeds: each provincial or ministry system hears of its own schools' awards.

The registry's ``AwardGranted`` carries the school's code, which is the code of the system that
speaks for it (the integration's code: ``HOABINH`` for the school of Hòa Bình). The forwarder copies
each such event from the registry's topic to that system's outbound topic, which on a secured broker
only that system's principal may read: a province receives its own schools' awards and no others.
"""

from __future__ import annotations

import logging
import re

from services.vocabulary import REGISTRY_TOPIC, outbound_topic
from shared.bus import Bus, OutgoingRecord, Record
from shared.envelope import Envelope, EnvelopeError
from shared.forwarder import Forwarder

FORWARDER = "registry-provincial-feeds"
FOR_PROVINCES = {b"AwardGranted"}
SYSTEM_CODE = re.compile(r"[A-Za-z0-9_-]{1,100}")
"""A code a system's topic can be named by (Kafka's topic names); a school with another code has none."""
log = logging.getLogger(__name__)
"""The registry's events a provincial system hears of, when they concern its schools."""


def provincial_copies(record: Record) -> list[OutgoingRecord]:
    """Return the copy of a registry event for the system of its school, if the event is one for it."""
    if record.header("ce_type") not in FOR_PROVINCES:
        return []
    try:
        envelope = Envelope.from_record(record.key, record.headers, record.value)
    except EnvelopeError:
        return []  # not an event of ours: nothing to tell anyone
    code = envelope.data.get("school_code")
    if not isinstance(code, str) or not SYSTEM_CODE.fullmatch(code):
        log.warning("award %s: school code %r names no system's topic; not copied", envelope.id, code)
        return []
    return [
        OutgoingRecord(outbound_topic(code), record.key or b"", list(record.headers), record.value or b"")
    ]


def provincial_feeds(bus: Bus) -> Forwarder:
    """Return the forwarder of the registry's events to the provincial systems' outbound topics."""
    return Forwarder(FORWARDER, bus, (REGISTRY_TOPIC,), provincial_copies)

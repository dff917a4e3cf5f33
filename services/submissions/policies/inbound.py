"""Form 09 confirmations from provincial committee and ministry systems, each on its own inbound topic.

A system with code CODE writes ``thidua.integration.inbound.CODE``, which on a secured broker only its
principal may write. Each event there must come from ``integration/CODE`` (the topic's code: the writer's
identity) and carry a ``thidua_signature`` header: the HMAC-SHA256, with that system's key, over the
event's id, type, source and body (shared.signing). A system vouches only for its own schools (through
mergers) in a year they take part in (domain.confirmations). Anything else is rejected to the DLQ,
changing nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from services.submissions.app import confirmations
from services.submissions.domain import confirmations as rules
from services.vocabulary import INTEGRATION_TOPIC, inbound_topic
from shared.bus import BusUnavailable
from shared.consumer import Consumed, ConsumerOptions, Policy, Rejected
from shared.envelope import Envelope
from shared.errors import RuleBroken
from shared.eventstore import Context
from shared.handlers import Handlers
from shared.service import ServiceContext
from shared.signing import SIGNATURE_HEADER, verify

SOURCE_PREFIX = "integration/"
log = logging.getLogger(__name__)


class InboundConfirmations(Policy):
    """Policy that turns verified confirmations into submissions' own AchievementReportConfirmed."""

    name = "submissions-inbound"
    # a sender must hear of a type we do not take; it may send an event twice (its own retries)
    options = ConsumerOptions(rejects_unknown_types=True, checks_event_ids=True)

    def __init__(self, service: ServiceContext, keys: Mapping[str, str]):
        self.service = service
        self.keys = keys
        self.topics = tuple(inbound_topic(code) for code in sorted(keys))
        self.handlers: Handlers[None] = Handlers(self.name)
        self.handlers.on("AchievementReportConfirmed")(self._confirmed)

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Verify the sender's signature, then record the confirmation once per school and copy."""
        event, record = consumed.event, consumed.record
        system = record.topic.removeprefix(f"{INTEGRATION_TOPIC}.")
        if event.source != f"{SOURCE_PREFIX}{system}":
            raise Rejected(f"{event.source!r} wrote on {record.topic}, the topic of integration/{system}")
        key = self.keys.get(system)
        if key is None:
            raise Rejected(f"unknown sender {event.source!r}")
        given = record.header(SIGNATURE_HEADER)
        if not verify(
            key.encode(),
            event.id,
            event.type,
            event.source,
            record.value or b"",
            given.decode() if given else None,
        ):
            raise Rejected(f"the signature of event {event.id} from {system} is missing or wrong")
        signer = consumed.data.get("confirmed_by")
        if signer != system:
            raise Rejected(f"{system} signed a confirmation in the name of {signer}")
        self.handlers.apply(conn, event, consumed.data)

    def _confirmed(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> None:
        """Record the confirmation of a school the system answers for, once per school, year and copy."""
        system = event.source.removeprefix(SOURCE_PREFIX)
        year, school_id, copy = data["year"], data["school_id"], data["copy"]
        standing = confirmations.standing(conn, year, school_id, copy)
        try:
            decided = rules.confirm(system, data, standing)
        except RuleBroken as refused:
            raise Rejected(refused.message) from refused
        if decided:
            context = Context(
                actor=f"integration:{system}", correlation_id=event.correlation_id, causation_id=event.id
            )
            stream = confirmations.stream(year, school_id, copy)
            version = self.service.store.stream_version(conn, stream)
            self.service.record(conn, stream, decided, context, version)


def forget_recorded(
    service: ServiceContext, keys: Mapping[str, str], stop: threading.Event, interval: float
) -> None:
    """Delete, every ``interval`` seconds, the inbound records this policy has recorded as its own events.

    An inbound topic is a mailbox: what a system sent (a signatory's name in clear, as the system wrote
    it) lives on as submissions' own event, sealed, so the mailbox keeps nothing it has delivered.
    """
    topics = [inbound_topic(code) for code in sorted(keys)]
    while not stop.is_set():
        try:
            trimmed = service.bus.forget_consumed(InboundConfirmations.name, topics)
            if trimmed:
                log.info("inbound: recorded records deleted from %d partitions", trimmed)
        except BusUnavailable:
            log.warning("inbound: the bus is unavailable; recorded records are deleted later")
        stop.wait(interval)

"""Form 09 confirmations from provincial committee and ministry systems, on the integration topic.

Each inbound event must come from ``integration/<CODE>`` and carry a ``thidua_signature`` header: the
HMAC-SHA256, with that system's key, over the event's id, type, source and body (shared.signing).
An unsigned or forged event is rejected to the DLQ and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from services.submissions.contracts import INTEGRATION_TOPIC
from shared.consumer import Consumed, Rejected
from shared.eventstore import Context, NewEvent
from shared.service import ServiceContext
from shared.signing import SIGNATURE_HEADER, verify

SOURCE_PREFIX = "integration/"


class InboundConfirmations:
    """Projection that turns verified confirmations into submissions' own AchievementReportConfirmed."""

    name = "submissions-inbound"
    topics = (INTEGRATION_TOPIC,)
    rejects_unknown_types = True  # a provincial system sending a type we do not take must hear of it

    def __init__(self, service: ServiceContext, keys: Mapping[str, str]):
        self.service = service
        self.keys = keys

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Verify the sender's signature, then record the confirmation once per school and copy."""
        event, record = consumed.event, consumed.record
        system = event.source.removeprefix(SOURCE_PREFIX) if event.source.startswith(SOURCE_PREFIX) else None
        key = self.keys.get(system or "")
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
        data = dict(event.data)
        if data["confirmed_by"] != system:
            raise Rejected(f"{system} signed a confirmation in the name of {data['confirmed_by']}")
        stream = f"confirmation-{data['year']}-{data['school_id']}-{data['copy']}"
        if self.service.store.stream_version(conn, stream) == 0:
            context = Context(
                actor=f"integration:{system}", correlation_id=event.correlation_id, causation_id=event.id
            )
            self.service.record(conn, stream, [NewEvent("AchievementReportConfirmed", data)], context, 0)

    def reset(self, conn: sa.Connection) -> None:
        """Nothing to reset: confirmations are events of submissions' own store, kept for good."""

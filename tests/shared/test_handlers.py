"""The one handler shape: a registry per read model, checked against its catalogue."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import pytest
import sqlalchemy as sa

from shared.catalogue import Catalogue, consumed_event
from shared.envelope import Envelope
from shared.handlers import Handlers, UndeclaredHandler

CATALOGUE = Catalogue(consumed_event("SchoolRegistered", "t", school_id=ma.fields.String(required=True)))


def _event(event_type: str, **data: Any) -> Envelope:
    return Envelope(event_type, "test", "stream-1", data, stream_version=3)


def test_each_event_goes_to_its_handler_with_the_data_given_not_the_data_as_sent() -> None:
    handlers: Handlers[str] = Handlers("view")

    @handlers.on("SchoolRegistered", "SchoolUpdated")
    def _seen(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> str:
        return f"{event.type}:{data['name']}:{event.stream_version}"

    conn: Any = None  # the handler above does not touch the database
    sent = _event("SchoolRegistered", ten="Cũ")
    assert handlers.apply(conn, sent, {"name": "Mới"}) == "SchoolRegistered:Mới:3"
    assert handlers.apply(conn, _event("SchoolUpdated"), {"name": "X"}) == "SchoolUpdated:X:3"
    assert handlers.apply(conn, _event("ClusterFormed"), {}) is None
    assert handlers.types() == {"SchoolRegistered", "SchoolUpdated"}


def test_a_type_registered_twice_is_refused() -> None:
    handlers: Handlers[None] = Handlers("view")
    handlers.on("SchoolRegistered")(lambda conn, event, data: None)
    with pytest.raises(ValueError, match="two handlers"):
        handlers.on("SchoolRegistered")(lambda conn, event, data: None)


def test_a_handler_for_a_type_the_catalogue_does_not_declare_is_an_error_at_start() -> None:
    handlers: Handlers[None] = Handlers("view")
    handlers.on("SchoolRegistered")(lambda conn, event, data: None)
    handlers.check(CATALOGUE)
    handlers.on("SchoolRenamed")(lambda conn, event, data: None)
    with pytest.raises(UndeclaredHandler, match="SchoolRenamed"):
        handlers.check(CATALOGUE)


@pytest.mark.parametrize(
    "service",
    ["registry", "submissions", "scoring", "notifications"],
)
def test_every_consumer_of_the_suite_handles_only_declared_types(service: str) -> None:
    from services.notifications.contracts import CONSUMED as NOTIFICATIONS_CONSUMED
    from services.notifications.projections.notices import NOTICES
    from services.registry.contracts import CATALOGUE as REGISTRY
    from services.registry.state import HANDLERS as REGISTRY_STATE
    from services.scoring.contracts import CONSUMED as SCORING_CONSUMED
    from services.scoring.projections.facts import FACTS
    from services.submissions.contracts import CATALOGUE as SUBMISSIONS
    from services.submissions.contracts import REGISTRY_EVENTS
    from services.submissions.projections.registry_view import VIEW
    from services.submissions.state import HANDLERS as SUBMISSIONS_STATE

    checks = {
        "registry": [(REGISTRY_STATE, REGISTRY)],
        "submissions": [(SUBMISSIONS_STATE, SUBMISSIONS), (VIEW, REGISTRY_EVENTS)],
        "scoring": [(FACTS, SCORING_CONSUMED)],
        "notifications": [(NOTICES, NOTIFICATIONS_CONSUMED)],
    }
    for handlers, catalogue in checks[service]:
        handlers.check(catalogue)
        assert handlers.types()

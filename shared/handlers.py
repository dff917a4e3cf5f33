"""One shape for event handlers: a small registry per read model or state table, keyed by event type.

Every handler takes ``(conn, event, data)``: the transaction, the envelope as received and the data
upcast to the current version of its type (what a handler must read; ``event.data`` is as sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from shared.catalogue import Catalogue
from shared.envelope import Envelope

R = TypeVar("R")
Handler = Callable[[sa.Connection, Envelope, dict[str, Any]], R]


class UndeclaredHandler(LookupError):
    """A handler for an event type that the catalogue it is checked against does not declare."""


class Handlers(Generic[R]):
    """The handlers of one read model, each registered for the event types it applies."""

    def __init__(self, name: str):
        self.name = name
        self._by_type: dict[str, Handler[R]] = {}

    def on(self, *types: str) -> Callable[[Handler[R]], Handler[R]]:
        """Register the decorated function for the given event types (each type at most once)."""

        def register(handler: Handler[R]) -> Handler[R]:
            for event_type in types:
                if event_type in self._by_type:
                    raise ValueError(f"{self.name}: {event_type} has two handlers")
                self._by_type[event_type] = handler
            return handler

        return register

    def types(self) -> frozenset[str]:
        """Return the event types handled."""
        return frozenset(self._by_type)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._by_type

    def apply(self, conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> R | None:
        """Apply one event with its handler; an event of a type not handled changes nothing (None)."""
        handler = self._by_type.get(event.type)
        return None if handler is None else handler(conn, event, data)

    def apply_all(self, conn: sa.Connection, events: Iterable[Envelope]) -> None:
        """Apply events whose data is already current (those a service has just appended itself)."""
        for event in events:
            self.apply(conn, event, dict(event.data))

    def check(self, catalogue: Catalogue) -> None:
        """Raise UndeclaredHandler when a handled type is not in the catalogue (checked at start)."""
        missing = sorted(t for t in self._by_type if t not in catalogue)
        if missing:
            raise UndeclaredHandler(f"{self.name} handles undeclared event types: {', '.join(missing)}")

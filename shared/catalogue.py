"""The event catalogue: each event type declared once with its version, schema and topic."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import marshmallow as ma

from shared.compiled import Fallback, Reader, compile_schema

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(KeyError):
    """An event type that no catalogue entry declares."""


class InvalidEventData(ValueError):
    """Event data that does not match its declared schema."""

    def __init__(self, event_type: str, messages: Mapping[str, Any]):
        super().__init__(f"{event_type}: {messages}")
        self.event_type = event_type
        self.messages = dict(messages)


@dataclass(frozen=True)
class EventType:
    """One declared event: its name, current version, data schema, topic and upcasters from older versions."""

    name: str
    version: int
    schema: type[ma.Schema]
    topic: str
    description: str = ""
    upcasters: Mapping[int, Upcaster] = field(default_factory=dict)
    personal: Callable[[Mapping[str, Any]], Any] | None = None
    """Where an event's personal records are when its schema alone cannot say (shared.personal.Plan);
    None: the schema's own marks."""

    @cached_property
    def _strict(self) -> ma.Schema:
        """The schema instance publishers validate with: unknown fields refused."""
        return self.schema(unknown=ma.RAISE)

    @cached_property
    def _tolerant(self) -> ma.Schema:
        """The schema instance consumers load with: unknown fields kept."""
        return self.schema(unknown=ma.INCLUDE)

    @cached_property
    def _compiled(self) -> Reader | None:
        """The tolerant schema compiled for consumers (shared.compiled); None when it cannot be."""
        return compile_schema(self._tolerant)

    def validate(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return the data as JSON-ready values; raise InvalidEventData on any unknown or bad field."""
        schema = self._strict
        try:
            loaded = schema.load(dict(data))
        except ma.ValidationError as exc:
            raise InvalidEventData(self.name, _as_mapping(exc.messages)) from exc
        return dict(schema.dump(loaded))

    def read(self, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
        """Upcast older data to the current version, then load it tolerantly (unknown fields kept): by the
        compiled reader, or by the schema for what that does not take as is (the same answer either way)."""
        current = self._upcast(version, data)
        compiled = self._compiled
        if compiled is not None:
            try:
                loaded: dict[str, Any] = compiled(current)  # a new dict, as the schema's
                return loaded
            except Fallback:
                pass
        try:
            return dict(self._tolerant.load(current))
        except ma.ValidationError as exc:
            raise InvalidEventData(self.name, _as_mapping(exc.messages)) from exc

    def stored(self, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
        """Upcast a service's own stored event to the current version, as the JSON-ready values it appends."""
        return self.validate(self._upcast(version, data))

    def _upcast(self, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
        if version > self.version:
            raise InvalidEventData(
                self.name, {"_schema": [f"version {version} is newer than {self.version}"]}
            )
        current = dict(data)
        for step in range(version, self.version):
            upcast = self.upcasters.get(step)
            if upcast is None:
                raise InvalidEventData(self.name, {"_schema": [f"no upcaster from version {step}"]})
            current = upcast(current)
        return current


class Catalogue:
    """The set of event types a service publishes or consumes."""

    def __init__(self, *types: EventType):
        self._types: dict[str, EventType] = {}
        for event_type in types:
            self.declare(event_type)

    def declare(self, event_type: EventType) -> EventType:
        """Add an event type; a name may be declared only once."""
        if event_type.name in self._types:
            raise ValueError(f"event type {event_type.name} is declared twice")
        self._types[event_type.name] = event_type
        return event_type

    def __getitem__(self, name: str) -> EventType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def merged(self, other: Catalogue) -> Catalogue:
        """Return a catalogue with the types of both."""
        return Catalogue(*self, *other)

    def topics(self) -> list[str]:
        """Return the topics the declared events travel on."""
        return sorted({t.topic for t in self._types.values()})


class _Tolerant(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE


def consumed_event(name: str, topic: str, /, **needed: ma.fields.Field) -> EventType:
    """Declare an event a service consumes: only the fields it needs are checked, the rest pass through."""
    return EventType(name, 1, _Tolerant.from_dict(needed, name=f"Consumed{name}"), topic)


def _as_mapping(messages: Any) -> dict[str, Any]:
    """Normalise marshmallow's error messages to a mapping."""
    return messages if isinstance(messages, dict) else {"_schema": messages}


def published_on(topic: str) -> Callable[[str, type[ma.Schema], str], EventType]:
    """Return how a service declares the events it publishes on its topic: ``(name, schema, description)``."""

    def declare(name: str, schema: type[ma.Schema], description: str) -> EventType:
        return EventType(name=name, version=1, schema=schema, topic=topic, description=description)

    return declare

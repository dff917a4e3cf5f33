"""Readers compiled from the catalogue's marshmallow schemas: the consumers' fast path to event data.

A consumer loads every event's data with its type's schema, and ``Schema.load`` spends most of its time
on what these schemas never use (hooks, partial loads, error stores). A compiled reader walks a plan made
once from the schema: for the plain JSON types (a string, an integer, a number, a boolean, a list, a
nested object) it checks the type and runs the field's own validators; any other field is deserialised
by the field itself, as ``Schema.load`` does. It has the same acceptance by construction: on anything it
does not take as is (a wrong type, a failed validator, a missing required field, an unknown field a
nested schema refuses), it raises :class:`Fallback`, and the caller loads with the schema, which gives
the answer and the error messages. A schema with hooks or dotted attributes is not compiled at all.
``tests/shared/test_compiled.py`` runs a played year's events and a corpus of bad ones through both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from marshmallow.utils import missing

Reader = Callable[[Any], Any]


class Fallback(Exception):
    """The compiled reader does not take this input as is: load it with the schema."""


def compile_schema(schema: ma.Schema) -> Reader | None:
    """Return a reader that loads data as ``schema.load`` does (or raises Fallback); None if it cannot."""
    return _object_reader(schema, schema.unknown)


def _object_reader(schema: ma.Schema, unknown: str) -> Reader | None:
    if any(schema._hooks.values()):  # pre/post hooks, @validates, @validates_schema: the schema's own
        return None
    plan: list[tuple[str, str, ma.fields.Field, Reader]] = []
    for name, field in schema.load_fields.items():
        attribute = field.attribute or name
        if "." in attribute:
            return None
        plan.append((field.data_key or name, attribute, field, _field_reader(field)))
    known = frozenset(key for key, _attribute, _field, _read in plan)

    def read(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise Fallback
        out: dict[str, Any] = {}
        for key, attribute, field, read_field in plan:
            value = data.get(key, missing)
            if value is missing or value is None:  # the field decides: a default, None, or an error
                try:
                    value = field.deserialize(value, key, data)
                except ma.ValidationError:
                    raise Fallback from None
                if value is missing:
                    continue
            else:
                value = read_field(value)
            out[attribute] = value
        if not known.issuperset(data):
            if unknown == ma.RAISE:
                raise Fallback
            if unknown == ma.INCLUDE:
                out.update((k, v) for k, v in data.items() if k not in known)
        return out

    return read


def _field_reader(field: ma.fields.Field) -> Reader:
    """Return how one field's present, non-null value is read."""
    converted = _converter(field)
    checks = list(field.validators)
    if not checks:
        return converted

    def validated(value: Any) -> Any:
        result = converted(value)
        try:
            for check in checks:
                if check(result) is False:
                    raise Fallback
        except ma.ValidationError:
            raise Fallback from None
        return result

    return validated


def _converter(field: ma.fields.Field) -> Reader:
    """Return the type check and conversion of a field's value (without its validators)."""
    kind = type(field)
    if kind in SCALARS:  # exactly these classes: their own ``_deserialize`` is never run
        return SCALARS[kind](field)
    if kind is ma.fields.List:
        return _each(_field_reader_or_own(field.inner))  # type: ignore[attr-defined]
    if kind is ma.fields.Nested:
        return _nested(field)  # type: ignore[arg-type]
    return _own(field)


def _nested(field: ma.fields.Nested) -> Reader:
    """Return the reader of a nested object (or list of them, ``many``): compiled, else the field's own."""
    schema = field.schema
    read = _object_reader(schema, field.unknown or schema.unknown)
    if read is None:
        return _own(field)
    return _each(read) if field.many else read


def _each(read: Reader) -> Reader:
    """Return the reader of a JSON list whose every item ``read`` reads."""

    def read_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Fallback
        return [read(item) for item in value]

    return read_list


def _field_reader_or_own(field: ma.fields.Field) -> Reader:
    """Return a list item's reader: compiled with its validators, None values left to the field."""
    read, own = _field_reader(field), _own(field)
    return lambda value: own(value) if value is None else read(value)


def _own(field: ma.fields.Field) -> Reader:
    """Return a reader that asks the field itself (exactly what Schema.load does for it)."""

    def deserialize(value: Any) -> Any:
        try:
            return field.deserialize(value)
        except ma.ValidationError:
            raise Fallback from None

    return deserialize


def _exactly(kind: type) -> Callable[[ma.fields.Field], Reader]:
    """Return the reader maker of a field whose JSON value is taken as is when of exactly ``kind``."""

    def maker(_field: ma.fields.Field) -> Reader:
        def read(value: Any) -> Any:
            if type(value) is not kind:  # a bool is no int, a float no int: those go to the schema
                raise Fallback
            return value

        return read

    return maker


def _float(field: ma.fields.Field) -> Reader:
    allow_nan = bool(getattr(field, "allow_nan", False))

    def read(value: Any) -> float:
        if type(value) is not float and type(value) is not int:
            raise Fallback
        try:
            number = float(value)
        except OverflowError:
            raise Fallback from None
        if not allow_nan and not math.isfinite(number):
            raise Fallback
        return number

    return read


SCALARS: Mapping[type, Callable[[ma.fields.Field], Reader]] = {
    ma.fields.String: _exactly(str),
    ma.fields.Email: _exactly(str),
    ma.fields.Integer: _exactly(int),
    ma.fields.Float: _float,
    ma.fields.Boolean: _exactly(bool),
}
"""The field classes read by a type check and their validators, and how each is read."""

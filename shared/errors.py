"""Errors the domain and handlers raise; the web layer maps each kind to one HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused; nothing was written."""

    code = "refused"

    def __init__(self, message: str, details: Any = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The thing named does not exist (404)."""

    code = "not_found"


class Conflict(DomainError):
    """The command clashes with what is already recorded (409)."""

    code = "conflict"


class RuleBroken(DomainError):
    """The command is well-formed but breaks a rule of the domain (422)."""

    code = "rule_broken"


class Forbidden(DomainError):
    """The caller's role or tenant may not do this (403)."""

    code = "forbidden"


class Invalid(DomainError):
    """The content does not fit its schema; details hold the messages by field (422)."""

    code = "validation_failed"


class TooLarge(DomainError):
    """The content is larger than the suite accepts (413)."""

    code = "too_large"


class Unsupported(DomainError):
    """The content is of a type the suite does not accept (415)."""

    code = "unsupported_media_type"


STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    RuleBroken: 422,
    Forbidden: 403,
    Invalid: 422,
    TooLarge: 413,
    Unsupported: 415,
}
"""The one HTTP status each kind of refusal answers with (the web layer reads it; the domain does not)."""

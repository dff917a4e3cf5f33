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

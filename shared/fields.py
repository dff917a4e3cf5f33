"""Field rules that API schemas and event schemas share: one definition of what a code or a name may be.

Each rule is one pattern, valid both in Python and in JSON Schema (ECMA), so the published schemas in
docs/schemas say exactly what the services accept.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate


class Pattern(validate.Regexp):
    """A pattern the whole value must match (``$`` does not let a trailing newline through)."""

    def __call__(self, value):  # as the base: str or bytes
        """Return the value if the whole of it matches, else raise ValidationError."""
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


CODE = Pattern(r"^[^\s\x00-\x1f\x7f]+$", error="must be one word of printable characters")
LINE = Pattern(
    r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
    error="must not be blank or contain control characters",
)
TEXT = Pattern(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
    flags=re.DOTALL,
    error="must not be blank or contain control characters other than line breaks",
)


SO_FAR = Pattern(r"^[^\x00-\x1f\x7f]*$", error="must not contain control characters")
"""One line, blank allowed: what a draft has so far."""


def so_far(max_length: int, **kwargs: Any) -> fields.String:
    """Return a field of a draft: one printable line, possibly blank (it is filled in before issuing)."""
    return fields.String(load_default="", validate=[validate.Length(max=max_length), SO_FAR], **kwargs)


def code(max_length: int = 32, **kwargs: Any) -> fields.String:
    """Return a code field (a school's, a deadline's): one word of printable characters."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), CODE], **kwargs)


def name(max_length: int = 300, **kwargs: Any) -> fields.String:
    """Return a name field (a school, a cluster, a province): one printable line, not blank."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), LINE], **kwargs)


def text(max_length: int = 2000, **kwargs: Any) -> fields.String:
    """Return a free-text field (a reason, a legal basis): lines allowed, not blank, no other controls."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), TEXT], **kwargs)

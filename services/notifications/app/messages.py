"""Notice texts from the Jinja template files (Vietnamese): the first line is the subject."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.text import number

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    environment.filters["num"] = number  # 99,5 as the portal writes it
    return environment


def render(template: str, **values: Any) -> tuple[str, str]:
    """Return (subject, body) of a notice from its template."""
    text = _environment().get_template(f"{template}.txt").render(**values)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"

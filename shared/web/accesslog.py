"""gunicorn's access log without secrets: a one-time link's token never reaches the log."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_LINKS = ("loi-moi", "dat-lai-mat-khau")
"""The one-time links whose last path segment is a secret: an invitation and a password reset
(services/portal/views/auth.py). A test holds every route with a ``<token>`` to one of these."""

SECRET_IN_PATH = re.compile("(/(?:" + "|".join(map(re.escape, SECRET_LINKS)) + r")/)[^/?\s]+")


def redacted(text: str) -> str:
    """Return a request line or path with the token of any one-time link replaced by ***."""
    return SECRET_IN_PATH.sub(r"\1***", text)


class RedactingLogger(Logger):
    """gunicorn's logger, every atom (request line, path, environ values) redacted before formatting."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Return the atoms of an access-log line, the secret parts of the path replaced."""
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: redacted(value) if isinstance(value, str) else value for key, value in atoms.items()}

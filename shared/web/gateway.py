"""Calls to the services' APIs on behalf of a person: the portal's and the console's one client.

The portal signs a short token in the person's role and tenant; the console passes on the operator's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests

from shared import tracing
from shared.auth import mint_token

TOKEN_TTL = timedelta(minutes=5)
TIMEOUT = 15.0
"""How long a call waits for a service before it counts as unavailable."""


class SuiteError(Exception):
    """A service answered with the suite's error shape (or could not be reached: status 503)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details if details is not None else {}


@dataclass
class Gateway:
    """The services' base URLs and the key that signs tokens; one per portal process."""

    urls: dict[str, str]
    secret: str = field(default="", repr=False)
    timeout: float = TIMEOUT
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def as_person(
        self, subject: str, role: str, tenant: str | None, correlation_id: str | None = None
    ) -> Caller:
        """Return a caller that acts as this person (their role and tenant) for one request."""
        return self.with_token(mint_token(self.secret, subject, role, tenant, TOKEN_TTL), correlation_id)

    def with_token(self, token: str, correlation_id: str | None = None) -> Caller:
        """Return a caller that presents a token the person already holds (the console's operator)."""
        headers = {"Authorization": f"Bearer {token}"}
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        return Caller(self, headers)


@dataclass
class Caller:
    """One person's calls to the services."""

    gateway: Gateway
    headers: dict[str, str] = field(repr=False)

    def get(self, service: str, path: str, **params: Any) -> Any:
        """Return the JSON a service answers to a GET."""
        return self._send("GET", service, path, params=params).json()

    def get_bytes(self, service: str, path: str, **params: Any) -> tuple[bytes, str]:
        """Return the bytes and content type a service answers to a GET (exports, documents)."""
        answer = self._send("GET", service, path, params=params)
        return answer.content, answer.headers.get("Content-Type", "application/octet-stream")

    def post(self, service: str, path: str, body: Any) -> Any:
        """Send a JSON body with POST and return the service's JSON answer."""
        return self._send("POST", service, path, json=body).json()

    def put(self, service: str, path: str, body: Any) -> Any:
        """Send a JSON body with PUT and return the service's JSON answer."""
        return self._send("PUT", service, path, json=body).json()

    def upload(self, service: str, path: str, name: str, content: bytes) -> Any:
        """Send a file as multipart field 'file' and return the service's JSON answer."""
        return self._send("POST", service, path, files={"file": (name, content)}).json()

    def _send(self, method: str, service: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.gateway.urls[service]}{path}"
        headers = {**self.headers, **tracing.current()}  # the callee's span a child of this request's
        try:
            answer = self.gateway.session.request(
                method, url, headers=headers, timeout=self.gateway.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise SuiteError(503, "unavailable", f"{service} does not answer", {"service": service}) from exc
        if answer.status_code >= 400:
            raise _error_of(answer)
        return answer


def _error_of(answer: requests.Response) -> SuiteError:
    try:
        error = answer.json()["error"]
        return SuiteError(answer.status_code, error["code"], error["message"], error.get("details"))
    except (ValueError, KeyError, TypeError):
        return SuiteError(answer.status_code, "error", answer.text[:200])

"""Calls to the services' APIs on behalf of a person: the portal's and the console's one client.

The portal signs a short token in the person's role and tenant; the console passes on the operator's own.
A read model served as a document (shared.web.conditional) is kept per person and URL with its ETag, and
asked for again with ``If-None-Match``: the service answers 304 while it has not changed, and the body
kept is used. The service checks the person's token on every request, 304 or not.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
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


class KeptDocuments:
    """The last document answered per person and URL, with its ETag: a bounded, thread-safe LRU."""

    def __init__(self, size: int = 512):
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[str, bytes] | None:
        """Return the ETag and body kept under a key, if any."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def keep(self, key: tuple[Any, ...], etag: str, body: bytes) -> None:
        """Keep a document's ETag and body, forgetting the least recently used beyond the size."""
        with self._lock:
            self._kept[key] = (etag, body)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


@dataclass
class Gateway:
    """The services' base URLs and the key that signs tokens; one per portal process."""

    urls: dict[str, str]
    secret: str = field(default="", repr=False)
    timeout: float = TIMEOUT
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    kept: KeptDocuments = field(default_factory=KeptDocuments, repr=False)

    def as_person(
        self, subject: str, role: str, tenant: str | None, correlation_id: str | None = None
    ) -> Caller:
        """Return a caller that acts as this person (their role and tenant) for one request."""
        token = mint_token(self.secret, subject, role, tenant, TOKEN_TTL)
        return self.with_token(token, correlation_id, whose=(subject, role, tenant))

    def with_token(
        self, token: str, correlation_id: str | None = None, whose: tuple[Any, ...] | None = None
    ) -> Caller:
        """Return a caller that presents a token the person already holds (the console's operator)."""
        headers = {"Authorization": f"Bearer {token}"}
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        if whose is None:  # the token's digest, not the token, names whose documents they are
            whose = (hashlib.sha256(token.encode()).hexdigest(),)
        return Caller(self, headers, whose)


@dataclass
class Caller:
    """One person's calls to the services."""

    gateway: Gateway
    headers: dict[str, str] = field(repr=False)
    whose: tuple[Any, ...] = field(default=(), repr=False)
    """Whom the documents kept for this caller belong to: the person, never shared with another."""

    def get(self, service: str, path: str, **params: Any) -> Any:
        """Return the JSON a service answers to a GET (the document kept, when the service says 304)."""
        key = (*self.whose, service, path, tuple(sorted((k, str(v)) for k, v in params.items())))
        kept = self.gateway.kept.get(key) if self.whose else None
        extra = {"If-None-Match": f'"{kept[0]}"'} if kept is not None else {}
        answer = self._send("GET", service, path, params=params, extra=extra)
        if answer.status_code == 304 and kept is not None:
            return orjson.loads(kept[1])
        etag = answer.headers.get("ETag", "").removeprefix("W/").strip('"')
        if etag and self.whose:
            self.gateway.kept.keep(key, etag, answer.content)
        return answer.json()

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

    def _send(
        self, method: str, service: str, path: str, extra: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        url = f"{self.gateway.urls[service]}{path}"
        headers = {**self.headers, **tracing.current(), **(extra or {})}  # the callee's span a child of ours
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

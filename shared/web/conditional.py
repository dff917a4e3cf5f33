"""Read models served as documents: the JSON kept as it is answered, with an ETag, and 304 for a client
that already holds it (``If-None-Match``). Browsers are told to keep no authenticated answer
(shared.web.headers); a service client that keeps one asks again with its ETag."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request

from shared.readcache import Version, VersionedCache


@dataclass(frozen=True)
class Document:
    """A read model's answer as sent: its JSON bytes and their ETag."""

    body: bytes
    etag: str


def document(answer: Any) -> Document:
    """Return an answer encoded as the app encodes JSON, with an ETag made from its bytes."""
    body = current_app.json.dumps(answer).encode()
    return Document(body, hashlib.blake2b(body, digest_size=12).hexdigest())


def served(found: Document) -> Response:
    """Return the document, or 304 Not Modified when the request already holds this version of it."""
    if found.etag in request.if_none_match:
        answer = Response(status=304)
    else:
        answer = Response(found.body, mimetype="application/json")
    answer.set_etag(found.etag)
    return answer


def kept(documents: VersionedCache, key: Hashable, version: Version, answer: Callable[[], Any]) -> Response:
    """Serve the document kept for ``key`` while the data is at ``version``, made from ``answer`` (read
    after the version, so never older than it) when there is none."""
    return served(documents.get(key, version, lambda: document(answer())))

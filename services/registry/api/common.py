"""What every registry endpoint needs: the registry of this app and the context of the request."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import Response, current_app, g

from services.registry.service import Registry
from services.registry.tables import events, metadata
from shared.auth import current_principal
from shared.db import POSITIONS
from shared.eventstore import Context
from shared.readcache import VersionedCache, data_version
from shared.web.conditional import kept

DOCUMENTS = "registry_documents"
"""Where an app keeps its answers (clusters, campaigns, proposals, decisions) while its data does not move:
one cache an app, as each app reads its own database."""


def registry() -> Registry:
    """Return the registry built for this app."""
    built: Registry = current_app.extensions["registry"]
    return built


def context() -> Context:
    """Return the actor and correlation id of this request, for the events it records."""
    return Context(actor=current_principal().actor, correlation_id=g.get("correlation_id"))


def kept_document(key: Hashable, answer: Callable[[], Any]) -> Response:
    """Serve an answer as a document kept until the registry's data changes (with an ETag: 304 to a client
    that holds it); ``key`` names the answer and, where readers read differently, what the caller reads."""
    with registry().reader.connect() as conn:
        version = data_version(conn, events, metadata.tables[POSITIONS])
    documents: VersionedCache = current_app.extensions[DOCUMENTS]
    return kept(documents, key, version, answer)

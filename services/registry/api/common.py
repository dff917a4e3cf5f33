"""What every registry endpoint needs: the registry of this app and the context of the request."""

from __future__ import annotations

from flask import current_app, g

from services.registry.service import Registry
from shared.auth import current_principal
from shared.eventstore import Context


def registry() -> Registry:
    """Return the registry built for this app."""
    built: Registry = current_app.extensions["registry"]
    return built


def context() -> Context:
    """Return the actor and correlation id of this request, for the events it records."""
    return Context(actor=current_principal().actor, correlation_id=g.get("correlation_id"))

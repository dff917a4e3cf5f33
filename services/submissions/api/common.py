"""What every submissions endpoint needs: the service of this app and the context of the request."""

from __future__ import annotations

from flask import current_app, g

from services.submissions.service import Submissions
from shared.auth import current_principal
from shared.eventstore import Context


def service() -> Submissions:
    """Return the submissions service built for this app."""
    built: Submissions = current_app.extensions["submissions"]
    return built


def context() -> Context:
    """Return the actor and correlation id of this request, for the events it records."""
    return Context(actor=current_principal().actor, correlation_id=g.get("correlation_id"))

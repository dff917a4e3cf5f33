"""The console's composition root: no database, no events of its own; the bus is opened on first use."""

from __future__ import annotations

from services.console.config import ConsoleSettings
from services.console.service import Console


def bootstrap(settings: ConsoleSettings) -> Console:
    """Return the console's live dependencies."""
    return Console(settings)

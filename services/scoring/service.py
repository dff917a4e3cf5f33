"""The scoring service's type: its live dependencies and its settings (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.scoring.config import ScoringSettings
from shared.service import ServiceContext


@dataclass
class Scoring(ServiceContext):
    """Scoring's database, event store and bus, with its own settings."""

    config: ScoringSettings = field(kw_only=True, repr=False)

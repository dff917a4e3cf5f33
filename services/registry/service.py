"""The registry's service type: its live dependencies and its settings (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.registry.config import RegistrySettings
from shared.service import ServiceContext


@dataclass
class Registry(ServiceContext):
    """The registry's database, event store and bus, with its own settings."""

    config: RegistrySettings = field(kw_only=True, repr=False)

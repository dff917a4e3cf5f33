"""The portal's type: its accounts database and settings (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.portal.config import PortalSettings
from shared.secretbox import SecretBox
from shared.service import ServiceContext


@dataclass
class Portal(ServiceContext):
    """The portal's database of accounts, with its own settings (the services it calls, mail, sign-in)."""

    config: PortalSettings = field(kw_only=True, repr=False)

    @property
    def secrets(self) -> SecretBox:
        """Return the box second-factor secrets are sealed in."""
        return SecretBox(self.config.data_key or self.config.session_secret)

"""The notifications service's type: its live dependencies and its settings (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.notifications.config import NotificationsSettings
from shared.secretbox import SecretBox
from shared.service import ServiceContext


@dataclass
class Notifications(ServiceContext):
    """Notifications' database and bus, with its own settings (mail, reminders, webhooks)."""

    config: NotificationsSettings = field(kw_only=True, repr=False)

    @property
    def secrets(self) -> SecretBox:
        """Return the box webhook signing secrets are sealed in."""
        return SecretBox(self.config.data_key or self.settings.jwt_secret)

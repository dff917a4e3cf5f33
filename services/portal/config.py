"""Portal settings, read from the environment in this one place."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.settings import CommonSettings, ConfigError, common_settings

SERVICE = "portal"


@dataclass(frozen=True)
class PortalSettings:
    """The common settings plus the services it calls, mail for invitations and the sign-in rules."""

    common: CommonSettings
    registry_url: str
    submissions_url: str
    scoring_url: str
    notifications_url: str
    public_url: str
    """Where people reach the portal; invitation links start with it (PORTAL_PUBLIC_URL)."""
    smtp_host: str
    smtp_port: int
    mail_from: str
    lockout_after: int
    """Failed sign-ins in a row that lock an account (PORTAL_LOCKOUT_AFTER)."""
    lockout_minutes: int
    invitation_hours: int
    data_dir: Path
    """Where the embedded default keeps its files (THIDUA_DATA_DIR): the first account's password."""
    session_secret: str = field(repr=False)
    """Signs the session cookie and CSRF tokens (PORTAL_SECRET; derived from the token key when unset)."""


def load_settings(environ: Mapping[str, str] | None = None) -> PortalSettings:
    """Return the portal's settings."""
    env = os.environ if environ is None else environ
    common = common_settings(SERVICE, env)
    try:
        smtp_port = int(env.get("SMTP_PORT", "1025"))
        lockout_after = int(env.get("PORTAL_LOCKOUT_AFTER", "5"))
        lockout_minutes = int(env.get("PORTAL_LOCKOUT_MINUTES", "15"))
        invitation_hours = int(env.get("PORTAL_INVITATION_HOURS", "72"))
    except ValueError as exc:
        raise ConfigError(f"a portal setting is malformed: {exc}") from exc
    if min(lockout_after, lockout_minutes, invitation_hours) < 1:
        raise ConfigError(
            "PORTAL_LOCKOUT_AFTER, PORTAL_LOCKOUT_MINUTES and PORTAL_INVITATION_HOURS must be >= 1"
        )
    secret = (
        env.get("PORTAL_SECRET")
        or hmac.new(common.jwt_secret.encode(), b"thidua-portal-session", hashlib.sha256).hexdigest()
    )
    return PortalSettings(
        common=common,
        registry_url=env.get("REGISTRY_URL", "http://127.0.0.1:8001").rstrip("/"),
        submissions_url=env.get("SUBMISSIONS_URL", "http://127.0.0.1:8002").rstrip("/"),
        scoring_url=env.get("SCORING_URL", "http://127.0.0.1:8003").rstrip("/"),
        notifications_url=env.get("NOTIFICATIONS_URL", "http://127.0.0.1:8004").rstrip("/"),
        public_url=env.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:8005").rstrip("/"),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=smtp_port,
        mail_from=env.get("MAIL_FROM", "thidua@hcma.vn"),
        lockout_after=lockout_after,
        lockout_minutes=lockout_minutes,
        invitation_hours=invitation_hours,
        data_dir=Path(env.get("THIDUA_DATA_DIR", "var")),
        session_secret=secret,
    )

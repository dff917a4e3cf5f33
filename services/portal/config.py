"""Portal settings, read from the environment in this one place."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from services.portal.throttle import ThrottlePolicy
from shared.settings import CommonSettings, ConfigError, common_settings, environment, suite_url

SERVICE = "portal"


@dataclass(frozen=True)
class PortalSettings:
    """The common settings plus the services it calls, mail for invitations, sign-in and session rules."""

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
    throttle_free: int
    """Failed sign-ins in a row of one (e-mail, address) pair before delays start (PORTAL_THROTTLE_FREE)."""
    throttle_first_seconds: int
    """The first delay, doubled at each failure after it (PORTAL_THROTTLE_FIRST_SECONDS)."""
    throttle_longest_minutes: int
    """The longest delay a pair is made to wait (PORTAL_THROTTLE_LONGEST_MINUTES)."""
    invitation_hours: int
    reset_minutes: int
    """How long a password-reset link works (PORTAL_RESET_MINUTES)."""
    session_idle_minutes: int
    """A session unused this long ends (PORTAL_SESSION_IDLE_MINUTES)."""
    session_max_hours: int
    """A session ends this long after sign-in, used or not (PORTAL_SESSION_MAX_HOURS)."""
    proxies: int
    """Reverse proxies in front whose X-Forwarded-For/-Proto are trusted (PORTAL_PROXIES; 0: none), so
    sign-in throttling sees each person's own address, not the gateway's."""
    data_dir: Path
    """Where the embedded default keeps its files (THIDUA_DATA_DIR): the first account's password."""
    session_secret: str = field(repr=False)
    """Signs the session cookie and CSRF tokens (PORTAL_SECRET; derived from the token key when unset)."""
    data_key: str = field(default="", repr=False)
    """Seals second-factor secrets at rest (THIDUA_DATA_KEY; the session secret when unset)."""

    @property
    def throttle(self) -> ThrottlePolicy:
        """Return the sign-in throttling policy."""
        return ThrottlePolicy(
            free=self.throttle_free,
            first=timedelta(seconds=self.throttle_first_seconds),
            longest=timedelta(minutes=self.throttle_longest_minutes),
        )


def load_settings(environ: Mapping[str, str] | None = None) -> PortalSettings:
    """Return the portal's settings."""
    env = environment(environ)
    common = common_settings(SERVICE, env)
    try:
        smtp_port = int(env.get("SMTP_PORT", "1025"))
        numbers = {
            name: int(env.get(name, default))
            for name, default in (
                ("PORTAL_THROTTLE_FREE", "3"),
                ("PORTAL_THROTTLE_FIRST_SECONDS", "2"),
                ("PORTAL_THROTTLE_LONGEST_MINUTES", "15"),
                ("PORTAL_INVITATION_HOURS", "72"),
                ("PORTAL_RESET_MINUTES", "60"),
                ("PORTAL_SESSION_IDLE_MINUTES", "30"),
                ("PORTAL_SESSION_MAX_HOURS", "12"),
            )
        }
        proxies = int(env.get("PORTAL_PROXIES", "0"))
    except ValueError as exc:
        raise ConfigError(f"a portal setting is malformed: {exc}") from exc
    if too_small := [name for name, value in numbers.items() if value < 1]:
        raise ConfigError(f"{', '.join(too_small)} must be >= 1")
    secret = (
        env.get("PORTAL_SECRET")
        or hmac.new(common.jwt_secret.encode(), b"thidua-portal-session", hashlib.sha256).hexdigest()
    )
    return PortalSettings(
        common=common,
        registry_url=suite_url(env, "registry"),
        submissions_url=suite_url(env, "submissions"),
        scoring_url=suite_url(env, "scoring"),
        notifications_url=suite_url(env, "notifications"),
        public_url=env.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:8005").rstrip("/"),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=smtp_port,
        mail_from=env.get("MAIL_FROM", "thidua@hcma.vn"),
        throttle_free=numbers["PORTAL_THROTTLE_FREE"],
        throttle_first_seconds=numbers["PORTAL_THROTTLE_FIRST_SECONDS"],
        throttle_longest_minutes=numbers["PORTAL_THROTTLE_LONGEST_MINUTES"],
        invitation_hours=numbers["PORTAL_INVITATION_HOURS"],
        reset_minutes=numbers["PORTAL_RESET_MINUTES"],
        session_idle_minutes=numbers["PORTAL_SESSION_IDLE_MINUTES"],
        session_max_hours=numbers["PORTAL_SESSION_MAX_HOURS"],
        proxies=max(proxies, 0),
        data_dir=Path(env.get("THIDUA_DATA_DIR", "var")),
        session_secret=secret,
        data_key=env.get("THIDUA_DATA_KEY", ""),
    )

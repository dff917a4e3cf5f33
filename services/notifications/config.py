"""Notifications settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.notifications.app.targets import AllowList
from shared.settings import CommonSettings, ConfigError, common_settings, environment, suite_url

SERVICE = "notifications"


@dataclass(frozen=True)
class NotificationsSettings:
    """The common settings plus mail, reminders and webhook delivery."""

    common: CommonSettings
    smtp_host: str
    smtp_port: int
    mail_from: str
    academy_mailbox: str
    reminder_offsets_days: tuple[int, ...]
    webhook_pause_after: int
    webhook_timeout: float
    loop_interval: float
    submissions_url: str = "http://127.0.0.1:8002"
    """Where the worker asks for a filing's facts (SUBMISSIONS_URL)."""
    webhook_allowed: AllowList = field(default_factory=AllowList)
    """Internal receivers webhooks may reach, over http too (WEBHOOK_ALLOWED_TARGETS: hosts, networks)."""
    audit_check_interval: float = 300.0
    """How often one replica walks the audit chain and reports it (AUDIT_CHECK_INTERVAL, seconds)."""
    mail_store: str = ""
    """A Maildir the local mail catcher keeps (MAIL_STORE; make run's var/mail): an erasure removes the
    erased person's messages from it. Mail already delivered elsewhere is out of reach."""
    data_key: str = field(default="", repr=False)
    """What webhook secrets are sealed with (THIDUA_DATA_KEY; the token signing secret when unset)."""


def load_settings(environ: Mapping[str, str] | None = None) -> NotificationsSettings:
    """Return the notifications service's settings."""
    env = environment(environ)
    try:
        offsets = tuple(
            sorted(
                {int(d) for d in env.get("NOTIFY_REMINDER_DAYS", "7,1").split(",") if d.strip()}, reverse=True
            )
        )
        port = int(env.get("SMTP_PORT", "1025"))
        pause_after = int(env.get("WEBHOOK_PAUSE_AFTER", "5"))
        timeout = float(env.get("WEBHOOK_TIMEOUT", "5"))
        interval = float(env.get("NOTIFY_INTERVAL", "30"))
        audit_interval = float(env.get("AUDIT_CHECK_INTERVAL", "300"))
    except ValueError as exc:
        raise ConfigError(f"a notifications setting is malformed: {exc}") from exc
    if any(d < 0 for d in offsets) or pause_after < 1:
        raise ConfigError("NOTIFY_REMINDER_DAYS must be days >= 0 and WEBHOOK_PAUSE_AFTER at least 1")
    return NotificationsSettings(
        common=common_settings(SERVICE, env),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=port,
        mail_from=env.get("MAIL_FROM", "thidua@hcma.vn"),
        academy_mailbox=env.get("ACADEMY_MAILBOX", "vu.cactruongchinhtri@hcma.vn"),
        reminder_offsets_days=offsets,
        webhook_pause_after=pause_after,
        webhook_timeout=timeout,
        loop_interval=interval,
        submissions_url=suite_url(env, "submissions"),
        webhook_allowed=AllowList.parse(env.get("WEBHOOK_ALLOWED_TARGETS", "")),
        data_key=env.get("THIDUA_DATA_KEY", ""),
        mail_store=env.get("MAIL_STORE", ""),
        audit_check_interval=audit_interval,
    )

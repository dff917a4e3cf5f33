"""Settings every service reads from the environment (each service's config.py calls this once)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: its database, the bus, the token key and logging."""

    service: str
    database_url: str
    bus_url: str
    topic_partitions: int
    jwt_secret: str
    log_level: str
    clock_at: datetime | None = None
    """A fixed "now" for demonstrations and browser tests (THIDUA_CLOCK_AT); None means the real time."""


def common_settings(service: str, environ: Mapping[str, str] | None = None) -> CommonSettings:
    """Read the common settings of a service; ``<SERVICE>_DATABASE_URL`` names its own database."""
    env = os.environ if environ is None else environ
    data_dir = env.get("THIDUA_DATA_DIR", "var")
    secret = env.get("THIDUA_JWT_SECRET", "")
    if len(secret) < 32:
        raise ConfigError("THIDUA_JWT_SECRET must be set to at least 32 characters (make run creates one)")
    try:
        partitions = int(env.get("THIDUA_TOPIC_PARTITIONS", "3"))
    except ValueError as exc:
        raise ConfigError("THIDUA_TOPIC_PARTITIONS must be an integer") from exc
    return CommonSettings(
        service=service,
        database_url=env.get(f"{service.upper()}_DATABASE_URL", f"sqlite:///{data_dir}/{service}.sqlite"),
        bus_url=env.get("THIDUA_BUS_URL", f"file:{data_dir}/eventlog.sqlite"),
        topic_partitions=partitions,
        jwt_secret=secret,
        log_level=env.get("THIDUA_LOG_LEVEL", "INFO"),
        clock_at=_instant(env.get("THIDUA_CLOCK_AT")),
    )


def _instant(value: str | None) -> datetime | None:
    """Read an ISO 8601 moment with its offset."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"THIDUA_CLOCK_AT must be an ISO 8601 moment with an offset: {exc}") from exc
    if moment.tzinfo is None:
        raise ConfigError("THIDUA_CLOCK_AT must carry its offset, e.g. 2023-03-04T10:00:00+07:00")
    return moment

"""Settings every service reads from the environment (each service's config.py calls this once)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

N = TypeVar("N", int, float)

SECRET_SETTINGS = (
    "THIDUA_JWT_SECRET",
    "THIDUA_KAFKA_PASSWORD",
    "THIDUA_DATA_KEY",
    "THIDUA_PERSONAL_KEY",
    "THIDUA_PERSONAL_KEY_PREVIOUS",
    "THIDUA_INTEGRATION_KEYS",
    "PORTAL_SECRET",
)
"""Settings that hold a secret; each may instead be given as ``NAME_FILE``, as every ``*_DATABASE_URL``
may (Docker's and Kubernetes' secrets are files, which ``docker inspect`` and /proc/1/environ never show)."""


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def environment(environ: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """Return the settings to read: the environment, with each secret set as ``NAME_FILE`` read in.

    A secret set directly wins over its file; a named file that cannot be read is a configuration error.
    """
    env = dict(os.environ if environ is None else environ)
    for name in [key[: -len("_FILE")] for key in env if key.endswith("_FILE")]:
        if env.get(name) or not (name in SECRET_SETTINGS or name.endswith("_DATABASE_URL")):
            continue
        try:
            with open(env[f"{name}_FILE"], encoding="utf-8") as file:
                env[name] = file.read().strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE cannot be read: {exc.strerror}") from None
    return env


@dataclass(frozen=True)
class KafkaAuth:
    """How a process authenticates to Kafka: its principal, password and security protocol."""

    username: str
    password: str = field(repr=False)
    protocol: str = "SASL_PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    ca_file: str | None = None


def kafka_auth(principal: str, environ: Mapping[str, str] | None = None) -> KafkaAuth | None:
    """Read the Kafka credentials (THIDUA_KAFKA_PASSWORD or _PASSWORD_FILE; none on an open broker).

    The principal is the service's name unless THIDUA_KAFKA_USERNAME says otherwise; the protocol is
    SASL_PLAINTEXT (loopback, tests) unless THIDUA_KAFKA_SECURITY_PROTOCOL is SASL_SSL, which verifies
    the brokers with THIDUA_KAFKA_CA_FILE.
    """
    env = environment(environ)
    password = env.get("THIDUA_KAFKA_PASSWORD", "")
    if not password:
        return None
    protocol = env.get("THIDUA_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    if protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
        raise ConfigError("THIDUA_KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL")
    return KafkaAuth(
        env.get("THIDUA_KAFKA_USERNAME", principal),
        password,
        protocol,
        ca_file=env.get("THIDUA_KAFKA_CA_FILE"),
    )


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: its database, the bus, the token key and logging."""

    service: str
    database_url: str
    bus_url: str
    topic_partitions: int
    jwt_secret: str = field(repr=False)
    log_level: str
    clock_at: datetime | None = None
    """A fixed "now" for demonstrations and browser tests (THIDUA_CLOCK_AT); None means the real time."""
    topic_replication: int = 1
    """Replicas of every topic the suite creates (THIDUA_TOPIC_REPLICATION; 3 on a cluster)."""
    topic_min_insync: int = 1
    """``min.insync.replicas`` of those topics (THIDUA_TOPIC_MIN_INSYNC; 2 on a cluster)."""
    failover_seconds: float = 10.0
    """How soon a standby replica takes over a leased loop after its holder died (THIDUA_FAILOVER_SECONDS)."""
    kafka: KafkaAuth | None = None
    """The service's Kafka principal and password; None on an open broker or the embedded log."""
    stop_grace_seconds: float = 10.0
    """How long a worker may take to stop after SIGTERM before it releases its leases and exits
    (WORKER_STOP_GRACE_SECONDS)."""


def common_settings(service: str, environ: Mapping[str, str] | None = None) -> CommonSettings:
    """Read the common settings of a service; ``<SERVICE>_DATABASE_URL`` names its own database."""
    env = environment(environ)
    data_dir = env.get("THIDUA_DATA_DIR", "var")
    secret = jwt_secret(env)
    partitions = _number(env, "THIDUA_TOPIC_PARTITIONS", "3", int)
    replication = _number(env, "THIDUA_TOPIC_REPLICATION", "1", int)
    min_insync = _number(env, "THIDUA_TOPIC_MIN_INSYNC", "1", int)
    failover = _number(env, "THIDUA_FAILOVER_SECONDS", "10", float)
    grace = _number(env, "WORKER_STOP_GRACE_SECONDS", "10", float)
    if partitions < 1 or replication < 1 or not 1 <= min_insync <= replication or failover <= 0 or grace <= 0:
        raise ConfigError(
            "topic partitions and replication must be at least 1, min in-sync replicas between 1 and the "
            "replication, and THIDUA_FAILOVER_SECONDS and WORKER_STOP_GRACE_SECONDS positive"
        )
    return CommonSettings(
        service=service,
        database_url=env.get(f"{service.upper()}_DATABASE_URL", f"sqlite:///{data_dir}/{service}.sqlite"),
        bus_url=env.get("THIDUA_BUS_URL", f"file:{data_dir}/eventlog.sqlite"),
        topic_partitions=partitions,
        jwt_secret=secret,
        log_level=env.get("THIDUA_LOG_LEVEL", "INFO"),
        clock_at=_instant(env.get("THIDUA_CLOCK_AT")),
        topic_replication=replication,
        topic_min_insync=min_insync,
        failover_seconds=failover,
        kafka=kafka_auth(service, env),
        stop_grace_seconds=grace,
    )


SUITE_URLS = {
    "registry": "http://127.0.0.1:8001",
    "submissions": "http://127.0.0.1:8002",
    "scoring": "http://127.0.0.1:8003",
    "notifications": "http://127.0.0.1:8004",
}
"""Where each service's API answers under make run; ``<SERVICE>_URL`` says where it answers elsewhere."""


def suite_url(env: Mapping[str, str], service: str) -> str:
    """Return the base address of a service's API (``<SERVICE>_URL``, make run's by default)."""
    return env.get(f"{service.upper()}_URL", SUITE_URLS[service]).rstrip("/")


def jwt_secret(environ: Mapping[str, str] | None = None) -> str:
    """Return the token signing key: THIDUA_JWT_SECRET, else the file make run writes (jwt-secret).

    The file is ``THIDUA_JWT_SECRET_FILE`` or ``<THIDUA_DATA_DIR>/jwt-secret``, so every command finds the
    key the running suite uses without exporting it by hand.
    """
    env = os.environ if environ is None else environ
    secret = env.get("THIDUA_JWT_SECRET", "")
    if not secret:
        path = Path(
            env.get("THIDUA_JWT_SECRET_FILE") or Path(env.get("THIDUA_DATA_DIR", "var")) / "jwt-secret"
        )
        try:
            secret = path.read_text().strip()
        except OSError:
            raise ConfigError(
                f"no token signing key: set THIDUA_JWT_SECRET, or run `make run` (or `make migrate`) once "
                f"to create {path}"
            ) from None
    if len(secret) < 32:
        raise ConfigError("THIDUA_JWT_SECRET must be at least 32 characters long")
    return secret


def _number(env: Mapping[str, str], name: str, default: str, kind: Callable[[str], N]) -> N:
    """Read a numeric setting, naming it when it is malformed."""
    try:
        return kind(env.get(name, default))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number") from exc


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

"""Console settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from shared.settings import CommonSettings, common_settings, environment, kafka_auth, suite_url

SERVICE = "console"
KAFKA_PRINCIPAL = "operator"
"""The console reads every topic and re-drives dead letters: the operator's rights on a secured cluster."""


@dataclass(frozen=True)
class ConsoleSettings:
    """The common settings (the bus, the token key, logging) plus the services the console reads."""

    common: CommonSettings
    registry_url: str = "http://127.0.0.1:8001"
    submissions_url: str = "http://127.0.0.1:8002"
    scoring_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    trace_ui_url: str = ""
    """Where an operator opens a trace (TRACE_UI_URL): a template with ``{trace_id}``, e.g. Zipkin's
    http://127.0.0.1:9411/zipkin/traces/{trace_id}, or a Jaeger's base (http://127.0.0.1:16686, which
    gets /trace/ID). The event page links there."""


def load_settings(environ: Mapping[str, str] | None = None) -> ConsoleSettings:
    """Return the console's settings (the Kafka principal is the operator's unless told otherwise)."""
    env = environment(environ)
    common = replace(common_settings(SERVICE, env), kafka=kafka_auth(KAFKA_PRINCIPAL, env))
    return ConsoleSettings(
        common=common,
        registry_url=suite_url(env, "registry"),
        submissions_url=suite_url(env, "submissions"),
        scoring_url=suite_url(env, "scoring"),
        notifications_url=suite_url(env, "notifications"),
        trace_ui_url=env.get("TRACE_UI_URL", "").rstrip("/"),
    )

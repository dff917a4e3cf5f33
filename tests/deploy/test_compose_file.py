"""docker-compose.yml against the Compose Specification and the promises of its operators' README.

compose-spec.json is the Compose Specification's schema (github.com/compose-spec/compose-spec,
schema/compose-spec.json at 170098ba, Apache-2.0). Running the file on a real engine is the compose
stage of CI (deploy/compose-check.sh).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "submissions", "scoring", "notifications", "portal")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file as compose reads it (YAML merge keys resolved)."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def long_running(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the services that keep running (not the one-off migrations, seed and first account)."""
    return {name: s for name, s in compose["services"].items() if s.get("restart") != "no"}


def test_the_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(compose)


def test_state_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    mounts = {name: s.get("volumes", []) for name, s in compose["services"].items()}
    assert "postgres:/var/lib/postgresql/data" in mounts["postgres"]
    for node in ("kafka-1", "kafka-2", "kafka-3"):
        assert f"{node}:/var/lib/kafka/data" in mounts[node]
    assert "documents:/data/documents" in mounts["submissions-api"]
    assert {"postgres", "kafka-1", "kafka-2", "kafka-3", "documents"} <= set(compose["volumes"])


PROBELESS = {"otel-collector"}
"""Its public image holds the collector's binary only; compose-check follows a trace through it instead."""


def test_every_long_running_container_has_a_cheap_probe_and_an_init(compose: dict[str, Any]) -> None:
    for name, service in long_running(compose).items():
        assert service.get("init") is True, name
        assert service["restart"] == "unless-stopped", name
        if name in PROBELESS:
            assert "healthcheck" not in service
            continue
        probe = " ".join(service["healthcheck"]["test"])
        assert not re.search(r"java|kafka-topics|\.sh\b|python", probe), f"{name}: {probe}"


def test_every_service_traces_to_the_collector_and_prometheus_has_the_alerts(compose: dict[str, Any]) -> None:
    environment = compose["x-service"]["environment"]
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith("http://otel-collector:4318}")
    collector = yaml.safe_load((ROOT / "deploy" / "otelcol" / "compose.yaml").read_text())
    assert collector["exporters"]["zipkin"]["endpoint"] == "http://zipkin:9411/api/v2/spans"
    mounts = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in mounts
    link = compose["services"]["console"]["environment"]["TRACE_UI_URL"]
    assert "9411/zipkin/traces/{trace_id}" in link


def test_nothing_starts_before_what_it_needs_is_healthy(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for needed, condition in service.get("depends_on", {}).items():
            wanted = "service_completed_successfully" if needed.endswith("-migrate") else "service_healthy"
            assert condition == {"condition": wanted}, f"{name} on {needed}"
    apis = {f"{service}-api" for service in SERVICES if service != "portal"}
    assert set(compose["services"]["gateway"]["depends_on"]) == apis | {"portal", "console"}


def test_ports_are_published_on_loopback_unless_configured(compose: dict[str, Any]) -> None:
    published = [port for s in compose["services"].values() for port in s.get("ports", [])]
    assert published
    assert all(port.startswith("${THIDUA_BIND_ADDRESS:-127.0.0.1}:") for port in published)


def test_no_secret_is_an_environment_variable(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for variable, value in service.get("environment", {}).items():
            secretish = re.search(r"SECRET|PASSWORD|DATABASE_URL|DATA_KEY|INTEGRATION_KEYS", variable)
            assert not secretish or variable.endswith("_FILE"), f"{name}: {variable}"
            assert "${" not in str(value) or not secretish, f"{name}: {variable}"
        for secret in service.get("secrets", []):
            assert secret in compose["secrets"], f"{name}: {secret}"


def test_each_service_gets_its_own_database_role_and_migrates_as_the_owner(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        urls = {secret for secret in spec.get("secrets", []) if secret.endswith("database_url")}
        owner = next((service for service in SERVICES if name.startswith(service)), None)
        if name == "postgres":
            assert len(urls) == 2 * len(SERVICES)  # its first start creates every role
        elif owner is None:
            assert not urls, name
        elif name.endswith("-migrate"):
            assert urls == {f"{owner}_owner_database_url"}, name
        else:
            assert urls == {f"{owner}_database_url"}, name


def test_the_mail_goes_to_a_catcher_of_the_file(compose: dict[str, Any]) -> None:
    hosts = {s["environment"].get("SMTP_HOST") for s in compose["services"].values() if "environment" in s}
    assert hosts - {None} == {"mail"}
    assert "mail" in compose["services"]


def test_the_image_ignores_local_state_and_runs_as_a_user() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored, "everything is left out but what the image needs"
    assert not any(line.startswith("!") and ("var" in line or ".venv" in line) for line in ignored)
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert dockerfile.count("FROM ") == 2
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "--no-index" in dockerfile

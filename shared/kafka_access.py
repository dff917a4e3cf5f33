"""Kafka users and ACLs from one declared file (deploy/kafka-access.toml), applied to a secured broker.

    python -m shared.kafka_access apply --bootstrap HOST:PORT --admin-password-file F \\
        --credentials secrets/credentials.json [--access deploy/kafka-access.toml] [--namespace PREFIX]

Each principal gets a SCRAM-SHA-512 user (its password generated once into the credentials file,
mode 600, outside the repository) and exactly the ACLs its declaration implies; ``grants`` is the
one place that says what "publishes", "consumes", "groups" and "transactional_ids" mean. Applying
twice changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from shared.deadletter import dlq_topic

MECHANISM = "SCRAM-SHA-512"
ACCESS_FILE = Path(__file__).resolve().parent.parent / "deploy" / "kafka-access.toml"


@dataclass(frozen=True)
class Grant:
    """One ACL: a principal may do an operation on a topic or group (a literal name or a prefix)."""

    principal: str
    operation: str
    resource: str
    name: str
    prefixed: bool = False


def principals(access: dict[str, Any]) -> list[str]:
    """Return every principal the declaration names."""
    codes = access.get("integration", {}).get("codes", [])
    return [*access.get("principals", {}), *(f"integration-{code}" for code in codes)]


def grants(access: dict[str, Any], namespace: str = "") -> list[Grant]:
    """Return the ACLs a declaration implies, with every topic and group under the namespace."""
    out: list[Grant] = []

    def allow(
        principal: str, operations: tuple[str, ...], resource: str, name: str, prefixed: bool = False
    ) -> None:
        full = namespace + name
        if prefixed and not full:  # every name: Kafka's literal wildcard (an empty prefix is refused)
            full, prefixed = "*", False
        out.extend(Grant(principal, op, resource, full, prefixed) for op in operations)

    for principal, rules in access.get("principals", {}).items():
        for topic in rules.get("publishes", []):
            allow(principal, ("WRITE", "DESCRIBE", "CREATE"), "TOPIC", topic)
        for topic in rules.get("consumes", []):
            allow(principal, ("READ", "DESCRIBE", "CREATE"), "TOPIC", topic)
            allow(principal, ("WRITE", "DESCRIBE", "CREATE"), "TOPIC", dlq_topic(topic))
        for group in rules.get("groups", []):
            allow(principal, ("READ", "DESCRIBE"), "GROUP", group)
        for transactional_id in rules.get("transactional_ids", []):
            allow(principal, ("WRITE", "DESCRIBE"), "TRANSACTIONAL_ID", transactional_id)
        if "reads_prefix" in rules:
            allow(principal, ("READ", "DESCRIBE"), "TOPIC", rules["reads_prefix"], prefixed=True)
        if "groups_prefix" in rules:
            allow(principal, ("READ", "DESCRIBE"), "GROUP", rules["groups_prefix"], prefixed=True)
    integration = access.get("integration", {})
    for code in integration.get("codes", []):
        topic = integration["topic_prefix"] + code
        allow(f"integration-{code}", ("WRITE", "DESCRIBE"), "TOPIC", topic)
        if "consumed_by" in integration:
            allow(integration["consumed_by"], ("READ", "DESCRIBE", "CREATE", "DELETE"), "TOPIC", topic)
            allow(integration["consumed_by"], ("WRITE", "DESCRIBE", "CREATE"), "TOPIC", dlq_topic(topic))
        if "redriven_by" in integration:
            allow(integration["redriven_by"], ("WRITE", "DESCRIBE"), "TOPIC", topic)
        if "outbound_prefix" in integration:
            outbound = integration["outbound_prefix"] + code
            allow(f"integration-{code}", ("READ", "DESCRIBE"), "TOPIC", outbound)
            allow(f"integration-{code}", ("READ", "DESCRIBE"), "GROUP", f"integration-{code}")
    if "outbound_by" in integration:  # every school's system, declared yet or not: no copy is refused
        prefix = integration["outbound_prefix"]
        allow(integration["outbound_by"], ("WRITE", "DESCRIBE", "CREATE"), "TOPIC", prefix, prefixed=True)
    return out


def load_credentials(path: Path, names: list[str]) -> dict[str, str]:
    """Return a password per principal, generating (and saving, mode 600) those not yet in the file."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [n for n in names if n not in known]
    if missing:
        known.update({n: secrets.token_urlsafe(24) for n in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(known, file, indent=2)
    return known


def apply(admin: KafkaAdminClient, access: dict[str, Any], passwords: dict[str, str], namespace: str) -> int:
    """Create or update every declared user and create its ACLs; return how many ACLs were declared."""
    names = principals(access)
    upserts = [UserScramCredentialUpsertion(n, ScramMechanism.SCRAM_SHA_512, passwords[n]) for n in names]
    failed = {user: error for user, error in admin.alter_user_scram_credentials(upserts).items() if error}
    if failed:
        raise RuntimeError(f"could not create users: {failed}")
    acls = [_acl(grant) for grant in grants(access, namespace)]
    result = admin.create_acls(acls)
    if result.get("failed"):
        raise RuntimeError(f"could not create ACLs: {result['failed']}")
    return len(acls)


def _acl(grant: Grant) -> ACL:
    """Return kafka-python's ACL for a grant (allowed from any host)."""
    pattern = ACLResourcePatternType.PREFIXED if grant.prefixed else ACLResourcePatternType.LITERAL
    return ACL(
        principal=f"User:{grant.principal}",
        host="*",
        operation=ACLOperation[grant.operation],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(ResourceType[grant.resource], grant.name, pattern),
    )


def admin_client(bootstrap: str, password: str) -> KafkaAdminClient:
    """Return an admin client authenticated as the broker's super user."""
    return KafkaAdminClient(
        bootstrap_servers=bootstrap.split(","),
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=MECHANISM,
        sasl_plain_username="admin",
        sasl_plain_password=password,
    )


def main(argv: list[str] | None = None) -> int:
    """Apply the declared access to a secured broker."""
    parser = argparse.ArgumentParser(prog="python -m shared.kafka_access")
    parser.add_argument("command", choices=["apply"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--admin-password-file", type=Path, required=True)
    parser.add_argument("--credentials", type=Path, required=True)
    parser.add_argument("--access", type=Path, default=ACCESS_FILE)
    parser.add_argument("--namespace", default="")
    args = parser.parse_args(argv)
    access = tomllib.loads(args.access.read_text())
    passwords = load_credentials(args.credentials, principals(access))
    admin = admin_client(args.bootstrap, args.admin_password_file.read_text().strip())
    try:
        count = apply(admin, access, passwords, args.namespace)
    finally:
        admin.close()
    users = len(principals(access))
    print(f"kafka_access: {users} users and {count} ACLs applied; passwords in {args.credentials}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

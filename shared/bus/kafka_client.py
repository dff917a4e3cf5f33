"""How the suite's Kafka clients connect: brokers, namespace, security, and each client's settings.

Shared by the bus (publish and subscribe), the transactional relays and the operator's reads, so that
every client connects, authenticates and names topics the same way.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kafka import KafkaAdminClient
from kafka.protocol.schemas.fields.struct import StructField

from shared.settings import KafkaAuth

F = TypeVar("F", bound=Callable[..., Any])


def serialised(function: F) -> F:
    """Return ``function`` made to run in one thread at a time."""
    lock = threading.RLock()

    @functools.wraps(function)
    def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return function(*args, **kwargs)

    return one_at_a_time  # type: ignore[return-value]


if not hasattr(StructField.compiled_decode_from, "__wrapped__"):
    # kafka-python 3.0 compiles a response's decoder on first use, swapping the struct's data class while
    # it does: two threads compiling at once (a worker's consumers starting together) can leave a decoder
    # that builds a weakref proxy and fails on every response after it ("object.__new__(X): X is not a
    # type object"); a notifications worker's ListOffsets then timed out for good. Compile one at a time.
    StructField.compiled_decode_from = serialised(StructField.compiled_decode_from)

DELIVERY_TIMEOUT = 10.0
"""Seconds a publish waits for acknowledgements at most."""
CONNECTING = {"bootstrap_timeout_ms": 5000, "reconnect_backoff_max_ms": 2000}
"""Every client gives up connecting within seconds, so an unreachable broker is an outage to wait out."""


class KafkaClient:
    """The connection settings of a namespace on a Kafka cluster.

    A namespace, when given, prefixes every topic and consumer group on the broker, so that several
    environments (or test runs) can share one cluster; callers only ever see the plain topic names.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        partitions: int = 3,
        client_id: str = "thidua",
        namespace: str = "",
        replication: int = 1,
        min_insync: int = 1,
        auth: KafkaAuth | None = None,
    ):
        self.bootstrap_servers = bootstrap_servers.split(",")
        self.partitions = partitions
        self.client_id = client_id
        self.namespace = namespace
        self.replication = replication
        self.min_insync = min_insync
        self.security = _security(auth)

    def physical(self, topic: str) -> str:
        """Return the broker's name of a topic."""
        return self.namespace + topic

    def logical(self, topic: str) -> str:
        """Return the suite's name of a broker topic."""
        return topic.removeprefix(self.namespace)

    def delivery_limit(self, timeout: float | None) -> float:
        """Return how long a publish may wait: ``timeout`` when given, never beyond the delivery timeout."""
        return DELIVERY_TIMEOUT if timeout is None else max(0.0, min(timeout, DELIVERY_TIMEOUT))

    def consumer_config(self, group: str | None) -> dict[str, Any]:
        """Return the settings for a consumer of this bus."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "group_id": None if group is None else self.namespace + group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 1000,
            "fetch_max_wait_ms": 100,
            "session_timeout_ms": 6000,  # a killed member's partitions move on after this long
            "heartbeat_interval_ms": 1000,
            "isolation_level": "read_committed",  # aborted relay transactions are never seen
            **CONNECTING,
            **self.security,
        }

    def producer_config(self) -> dict[str, Any]:
        """Return the settings of an idempotent producer of this bus (acks from every in-sync replica)."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "acks": "all",
            "enable_idempotence": True,
            "max_in_flight_requests_per_connection": 5,
            "linger_ms": 5,
            "batch_size": 256 * 1024,
            "retries": 2**31 - 1,
            "delivery_timeout_ms": int(DELIVERY_TIMEOUT * 1000),
            "request_timeout_ms": 5000,
            "max_block_ms": 5000,
            **CONNECTING,
            **self.security,
        }

    def admin(self, timeout_ms: int = 10000) -> KafkaAdminClient:
        """Open an admin client (the caller closes it)."""
        return KafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-admin",
            request_timeout_ms=timeout_ms,
            **CONNECTING,
            **self.security,
        )


def _security(auth: KafkaAuth | None) -> dict[str, Any]:
    """Return the client settings that authenticate as a principal (none on an open broker)."""
    if auth is None:
        return {}
    settings: dict[str, Any] = {
        "security_protocol": auth.protocol,
        "sasl_mechanism": auth.mechanism,
        "sasl_plain_username": auth.username,
        "sasl_plain_password": auth.password,
    }
    if auth.protocol == "SASL_SSL":
        settings["ssl_cafile"] = auth.ca_file
    return settings

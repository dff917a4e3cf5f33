"""Build the bus a URL names: ``kafka://host:port[,host:port][?namespace=prefix.]`` or ``file:path``."""

from __future__ import annotations

from urllib.parse import parse_qs

from shared.bus.base import Bus
from shared.settings import CommonSettings, KafkaAuth


def make_bus(
    url: str,
    partitions: int = 3,
    client_id: str = "thidua",
    replication: int = 1,
    min_insync: int = 1,
    auth: KafkaAuth | None = None,
) -> Bus:
    """Return the adapter for a bus URL (replication applies to Kafka topics the suite creates)."""
    if url.startswith("kafka://"):
        from shared.bus.kafka import KafkaBus

        servers, _, query = url.removeprefix("kafka://").partition("?")
        namespace = parse_qs(query).get("namespace", [""])[0]
        return KafkaBus(
            servers,
            partitions=partitions,
            client_id=client_id,
            namespace=namespace,
            replication=replication,
            min_insync=min_insync,
            auth=auth,
        )
    if url.startswith("file:"):
        from shared.bus.embedded import EmbeddedBus

        return EmbeddedBus(url.removeprefix("file:"), partitions=partitions)
    raise ValueError(f"unsupported bus URL {url!r}: use kafka://host:port or file:path")


def bus_of(settings: CommonSettings) -> Bus:
    """Return the bus a service's common settings name, with its partitions, replication and principal."""
    return make_bus(
        settings.bus_url,
        settings.topic_partitions,
        settings.service,
        replication=settings.topic_replication,
        min_insync=settings.topic_min_insync,
        auth=settings.kafka,
    )

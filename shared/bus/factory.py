"""Build the bus that a URL names: ``kafka://host:port[,host:port]`` or ``file:path/to/eventlog.sqlite``."""

from __future__ import annotations

from shared.bus.base import Bus


def make_bus(url: str, partitions: int = 3, client_id: str = "thidua") -> Bus:
    """Return the adapter for a bus URL."""
    if url.startswith("kafka://"):
        from shared.bus.kafka import KafkaBus

        return KafkaBus(url.removeprefix("kafka://"), partitions=partitions, client_id=client_id)
    if url.startswith("file:"):
        from shared.bus.embedded import EmbeddedBus

        return EmbeddedBus(url.removeprefix("file:"), partitions=partitions)
    raise ValueError(f"unsupported bus URL {url!r}: use kafka://host:port or file:path")

"""Dead letters: a record a consumer cannot apply, sent to its topic's DLQ with why and where it failed.

A record too large to be published again with the DLQ's headers (an inbound record of about the
broker's limit) goes to the DLQ as a trimmed copy: its value cut, its own headers dropped, and
headers that say so and point at the original topic, partition and offset, where it still is.
"""

from __future__ import annotations

from shared.bus import OutgoingRecord, Record

DLQ_SUFFIX = ".dlq"
REDRIVEN_HEADER = "thidua_redriven"
"""On a record an operator sent again from a DLQ: where it was in the DLQ."""
REDRIVEN_FOR_HEADER = "thidua_redriven_for"
"""On a re-driven record: the consumer that dead-lettered it, the only one to apply it (the others
applied the original)."""
TRIMMED_HEADER = "dlq_trimmed"
KEPT_BYTES = 64 * 1024
"""How much of a trimmed record's value the DLQ keeps, for an operator to recognise it."""


def dlq_topic(topic: str) -> str:
    """Return the dead-letter topic of a topic."""
    return f"{topic}{DLQ_SUFFIX}"


def dead_letter(record: Record, error: BaseException, consumer: str) -> OutgoingRecord:
    """Return the DLQ record for a record that ``consumer`` could not apply."""
    return OutgoingRecord(
        dlq_topic(record.topic),
        record.key or b"",
        [*record.headers, *_why(record, error, consumer)],
        record.value or b"",
    )


def trimmed(record: Record, error: BaseException, consumer: str) -> OutgoingRecord:
    """Return a small DLQ record standing for one too large to copy whole."""
    size = len(record.value or b"") + sum(len(k) + len(v) for k, v in record.headers)
    headers = [
        *_why(record, error, consumer),
        (TRIMMED_HEADER, f"original of {size} bytes kept at its topic, partition and offset".encode()),
        *[(k, v) for k, v in record.headers if k in ("ce_id", "ce_type", "ce_source") and len(v) < 512],
    ]
    return OutgoingRecord(
        dlq_topic(record.topic), (record.key or b"")[:512], headers, (record.value or b"")[:KEPT_BYTES]
    )


def _why(record: Record, error: BaseException, consumer: str) -> list[tuple[str, bytes]]:
    """Return the headers that say why and where a record failed."""
    return [
        ("dlq_error", f"{type(error).__name__}: {error}"[:2000].encode()),
        ("dlq_consumer", consumer.encode()),
        ("dlq_topic", record.topic.encode()),
        ("dlq_partition", str(record.partition).encode()),
        ("dlq_offset", str(record.offset).encode()),
    ]

"""Kafka transactions for the outbox relays: one transaction per batch, fenced by transactional id.

Every replica of a relay uses the same transactional id. The replica that takes the relay's lease
opens a new producer, whose ``init_transactions`` bumps the id's epoch: a zombie (a paused or
partitioned former holder) is fenced, and whatever transaction it left open is aborted, so a
``read_committed`` reader never sees its records. A producer is kept across batches (idempotence holds
per producer id); one whose commit timed out or failed is closed and replaced, after which the relay
reads the topic's tail to learn what did reach it.

What a relay compares with its recorded progress, the newest committed record of each partition, is
read by ``kafka_reads.last_records``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from shared.bus.base import BusUnavailable, OutgoingRecord, RecordTooLarge
from shared.bus.kafka_client import KafkaClient

log = logging.getLogger(__name__)


class TransactionalPublisher:
    """Publishes batches of records to Kafka, each batch in one transaction (all of it or none)."""

    def __init__(self, bus: KafkaClient, transactional_id: str):
        self.bus = bus
        self.transactional_id = bus.namespace + transactional_id
        self._producer: KafkaProducer | None = None

    def fence(self, timeout: float | None = None) -> None:
        """Make the producer if there is none: its ``init_transactions`` fences every older producer of
        the id and waits until the transaction they left is committed or aborted."""
        try:
            self._ready_producer(self.bus.delivery_limit(timeout))
        except KafkaError as exc:
            raise BusUnavailable(f"cannot take over transactional id {self.transactional_id}: {exc}") from exc

    def publish(
        self,
        records: Sequence[OutgoingRecord],
        timeout: float | None = None,
        consumed: tuple[dict[Any, Any], Any] | None = None,
    ) -> None:
        """Send the records in one transaction and commit it within ``timeout`` seconds.

        ``consumed``, the offsets (kafka-python's, by partition) and group metadata of a consumer,
        commits those offsets in the same transaction: the consume-transform-produce of KIP-447.

        On any failure the transaction is aborted (or left to be aborted by the next producer of the
        id) and BusUnavailable raised: the batch is on the topic in full, or invisible to
        ``read_committed`` readers; which one, the caller learns from the topic's tail.
        """
        if not records and consumed is None:
            return
        limit = self.bus.delivery_limit(timeout)
        deadline = time.monotonic() + limit
        try:
            producer = self._ready_producer(limit)
            producer.begin_transaction()
            futures = [
                producer.send(self.bus.physical(r.topic), key=r.key, value=r.value, headers=list(r.headers))
                for r in records
            ]
            if consumed is not None:
                _send_offsets(producer, *consumed, max(0.0, deadline - time.monotonic()))
            producer.flush(timeout=max(0.0, deadline - time.monotonic()))
            for future in futures:
                if not future.is_done:
                    raise KafkaTimeoutError(f"not acknowledged within {limit:.1f} s")
                future.get(timeout=0)
            _commit(producer, max(0.0, deadline - time.monotonic()))
        except KafkaError as exc:
            self.close()
            if "TooLarge" in type(exc).__name__:
                raise RecordTooLarge(f"a record is too large for the producer or broker: {exc}") from exc
            raise BusUnavailable(f"transactional publish failed: {exc}") from exc

    def close(self) -> None:
        """Close the producer at once; an open transaction is aborted by the id's next producer."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=0)
        except KafkaError:
            # close() flushes first, which fails with records still held; what it holds is abandoned
            force_close(producer)

    def _ready_producer(self, limit: float) -> KafkaProducer:
        """Return the producer, making it (and fencing every older producer of the id) when missing."""
        if self._producer is None:
            producer = KafkaProducer(
                **{
                    **self.bus.producer_config(),
                    "transactional_id": self.transactional_id,
                    "transaction_timeout_ms": max(10_000, int(limit * 4 * 1000)),
                    "max_block_ms": max(1000, int(limit * 1000)),
                }
            )
            try:
                producer.init_transactions()
            except KafkaError:
                force_close(producer)
                raise
            self._producer = producer
            log.info("transactional producer %s ready", self.transactional_id)
        return self._producer


def _send_offsets(producer: KafkaProducer, offsets: dict[Any, Any], group: Any, timeout: float) -> None:
    """Add a consumer's offsets to the open transaction, waiting at most ``timeout`` seconds.

    ``KafkaProducer.send_offsets_to_transaction`` waits without a bound (a forwarder once hung in it for
    a quarter of an hour after a broker died); this does what it does (kafka-python 3.0) with one.
    """
    manager: Any = producer._transaction_manager
    result = manager.send_offsets_to_transaction(offsets, group)
    producer._sender.wakeup()
    if not result.wait(timeout_ms=int(timeout * 1000)):
        raise KafkaTimeoutError(f"offsets not added to the transaction within {timeout:.1f} s")


def _commit(producer: KafkaProducer, timeout: float) -> None:
    """Commit the open transaction, waiting at most ``timeout`` seconds.

    ``KafkaProducer.commit_transaction`` waits without a bound; this does what it does (kafka-python
    3.0) with one, so a relay never outlives its lease waiting on a broker that is gone.
    """
    manager: Any = producer._transaction_manager
    result = manager.begin_commit()
    producer._sender.wakeup()
    if not result.wait(timeout_ms=int(timeout * 1000)):
        raise KafkaTimeoutError(f"commit not acknowledged within {timeout:.1f} s")


def force_close(producer: KafkaProducer) -> None:
    """Close a producer without flushing, so no ``__del__`` tries again later and logs a timeout."""
    sender: Any = producer._sender
    try:
        producer._unregister_cleanup()
        if sender is not None:
            sender.force_close()
        producer._metrics.close()
        producer._closed = True
    except Exception:  # a half-built producer: nothing more to release
        log.debug("producer force close", exc_info=True)

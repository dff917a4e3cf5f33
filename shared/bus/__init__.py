"""The event bus: one small interface with a Kafka adapter and an embedded (single-machine) log adapter."""

from shared.bus.base import (
    Bus,
    BusUnavailable,
    GroupLag,
    GroupMember,
    OutgoingRecord,
    Publisher,
    Record,
    RecordTooLarge,
    Start,
    StartAt,
    Subscription,
    TopicPartition,
)
from shared.bus.factory import make_bus

__all__ = [
    "Bus",
    "BusUnavailable",
    "GroupLag",
    "GroupMember",
    "OutgoingRecord",
    "Publisher",
    "Record",
    "RecordTooLarge",
    "Start",
    "StartAt",
    "Subscription",
    "TopicPartition",
    "make_bus",
]

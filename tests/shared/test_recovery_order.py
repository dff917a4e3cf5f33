"""The order a recovery imports a topic's events in: the store's, from each record's position; for
records published before positions were written, each partition's own order, merged by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.bus import Record
from shared.envelope import Envelope
from shared.recovery import _ordered
from shared.relay import POSITION_HEADER

T0 = datetime(2023, 3, 1, tzinfo=UTC)


def record(partition: int, offset: int, stream: str, minutes: int, position: int | None = None) -> Record:
    envelope = Envelope(
        "Pinged",
        "test",
        stream,
        {"n": offset},
        stream_version=offset + 1,
        time=T0 + timedelta(minutes=minutes),
    )
    key, headers, value = envelope.to_record()
    if position is not None:
        headers.append((POSITION_HEADER, str(position).encode()))
    return Record("t", partition, offset, key, headers, value, 0)


def test_records_with_their_store_position_come_back_in_the_stores_order() -> None:
    records = [
        record(0, 0, "a", 5, position=3),
        record(1, 0, "b", 1, position=1),
        record(0, 1, "a", 9, position=2),
    ]
    ordered, skipped, _positions = _ordered(records)
    assert [(e.stream_id, e.data["n"]) for e in ordered] == [("b", 0), ("a", 1), ("a", 0)] and skipped == 0


def test_older_records_keep_each_partitions_order_merged_by_time_and_come_first() -> None:
    records = [
        record(0, 0, "a", 1),
        record(0, 1, "a", 7),
        record(1, 0, "b", 3),
        record(1, 1, "b", 4),
        record(1, 2, "b", 2),  # an earlier clock on a later record: its partition's order still holds
        record(0, 2, "a", 8, position=10),
        Record("t", 0, 3, b"k", [("ce_type", b"x")], b"not an event", 0),
    ]
    ordered, skipped, _positions = _ordered(records)
    assert [(e.stream_id, e.data["n"]) for e in ordered] == [
        ("a", 0),
        ("b", 0),
        ("b", 1),
        ("b", 2),
        ("a", 1),
        ("a", 2),
    ]
    assert skipped == 1

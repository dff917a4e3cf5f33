"""The envelope is CloudEvents 1.0 in Kafka binary mode, readable by the official SDK."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.v1.kafka import KafkaMessage, from_binary

from shared.envelope import Envelope, EnvelopeError
from tests.factories import make_envelope


def test_a_record_round_trips_to_the_same_envelope() -> None:
    envelope = make_envelope(correlation_id="corr-1", causation_id="cause-1", actor="academy_admin:alice")
    assert Envelope.from_record(*envelope.to_record()) == envelope


def test_the_key_is_the_stream_id_and_attributes_are_ce_headers() -> None:
    key, headers, value = make_envelope(stream_id="school-42").to_record()
    names = dict(headers)
    assert key == b"school-42"
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == b"Pinged"
    assert names["ce_schemaversion"] == b"2"
    assert names["content-type"] == b"application/json"
    assert value == b'{"number":1,"note":""}'


def test_the_cloudevents_sdk_reads_our_record_as_the_same_event() -> None:
    envelope = make_envelope(
        stream_id="school-7",
        data={"number": 3, "note": "Trường Chính trị tỉnh Hòa Bình"},
        time=datetime(2023, 3, 5, 10, 0, tzinfo=UTC),
        correlation_id="c-9",
        actor="school_officer:bob",
    )
    key, headers, value = envelope.to_record()
    event = from_binary(KafkaMessage(headers=dict(headers), key=key, value=value))
    assert event["id"] == envelope.id
    assert event["type"] == "Pinged"
    assert event["source"] == "test"
    assert event["specversion"] == "1.0"
    assert event["partitionkey"] == b"school-7"
    assert event["correlationid"] == "c-9"
    assert event["actor"] == "school_officer:bob"
    assert event["schemaversion"] == "2"
    assert datetime.fromisoformat(event["time"].replace("Z", "+00:00")) == envelope.time
    assert event.get_data() == {"number": 3, "note": "Trường Chính trị tỉnh Hòa Bình"}


@pytest.mark.parametrize(
    ("key", "headers", "value", "why"),
    [
        (b"s", [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"x")], b"{}", "type"),
        (
            b"s",
            [("ce_specversion", b"0.3"), ("ce_id", b"1"), ("ce_source", b"x"), ("ce_type", b"T")],
            b"{}",
            "0.3",
        ),
        (
            None,
            [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"x"), ("ce_type", b"T")],
            b"{}",
            "key",
        ),
        (
            b"s",
            [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"x"), ("ce_type", b"T")],
            b"{",
            "undecodable",
        ),
        (
            b"s",
            [("ce_specversion", b"1.0"), ("ce_id", b"1"), ("ce_source", b"x"), ("ce_type", b"T")],
            b"[1]",
            "object",
        ),
    ],
)
def test_a_record_that_is_not_our_event_is_refused_with_the_reason(key, headers, value, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EnvelopeError, match=why):
        Envelope.from_record(key, headers, value)

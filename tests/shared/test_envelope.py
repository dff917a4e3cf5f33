"""The envelope is CloudEvents 1.0 in Kafka binary mode, readable by the official SDK."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, fields
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from cloudevents.v1.kafka import KafkaMessage, from_binary

from shared.envelope import Envelope, EnvelopeError
from tests.factories import make_envelope


def test_a_record_round_trips_to_the_same_envelope() -> None:
    envelope = make_envelope(correlation_id="corr-1", causation_id="cause-1", actor="academy_admin:alice")
    assert Envelope.from_record(*envelope.to_record()) == envelope


def test_a_read_envelope_has_every_field_the_dataclass_declares_and_no_other() -> None:
    event = make_envelope(correlation_id="c-1", traceparent=f"00-{'a' * 32}-{'b' * 16}-01")
    read = Envelope.from_record(*event.to_record())
    assert list(vars(read)) == [f.name for f in fields(Envelope)]  # from_record fills the dict itself
    assert read == event
    with pytest.raises(FrozenInstanceError):
        read.type = "OtherType"  # type: ignore[misc]


def test_the_key_is_the_stream_id_and_attributes_are_ce_headers() -> None:
    key, headers, value = make_envelope(stream_id="school-42").to_record()
    names = dict(headers)
    assert key == b"school-42"
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == b"Pinged"
    assert names["ce_schemaversion"] == b"2"
    assert names["content-type"] == b"application/json"
    assert value == b'{"number":1,"note":""}'


def test_a_records_value_and_time_are_what_the_standard_library_wrote() -> None:
    """The value is written by orjson and the time by its datetime encoder; the bytes stay those of
    ``json.dumps`` (compact, UTF-8, anything else by its ``str``) and ``isoformat`` in UTC."""
    data = {
        "note": 'Trường Chính trị tỉnh Hòa Bình "đạt"\n',
        "score": 9.5,
        "count": 3,
        "items": [1, None, True, {"nested": "x"}],
        "at": datetime(2024, 5, 17, 8, 30, tzinfo=UTC),
        "on": date(2024, 5, 17),
        "amount": Decimal("12.50"),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
    }
    moments = [
        datetime(2024, 5, 17, 15, 30, 0, 250, tzinfo=timezone(timedelta(hours=7))),
        datetime(2024, 5, 17, 8, 30),
        datetime(2024, 5, 17, 8, 30, 1, 999999, tzinfo=UTC),
    ]
    for moment in moments:
        _key, headers, value = make_envelope(data=data, time=moment).to_record()
        assert value == json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        utc = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
        assert dict(headers)["ce_time"] == utc.isoformat().replace("+00:00", "Z").encode()
    tiny = {"ratio": 1e-07}  # the one difference: an exponent is written 1e-7, not 1e-07; the same number
    assert json.loads(make_envelope(data=tiny).to_record()[2]) == tiny


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
        (
            b"s",
            [("ce_specversion", b"1.0"), ("ce_id", b"\xff"), ("ce_source", b"x"), ("ce_type", b"T")],
            b"{}",
            "UTF-8",
        ),
        (b"s", [("ce_specversion", b"1.0"), ("ce_id", None)], b"{}", "UTF-8"),
        (b"s", [("ce_specversion", b"1.0", b"extra")], b"{}", "UTF-8"),
    ],
)
def test_a_record_that_is_not_our_event_is_refused_with_the_reason(key, headers, value, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EnvelopeError, match=why):
        Envelope.from_record(key, headers, value)


def test_headers_it_does_not_read_are_passed_over_whatever_they_hold() -> None:
    event = make_envelope("s-1", 1, type="T")
    key, headers, value = event.to_record()
    noisy = [("ce_dataschema", b"\xff"), ("x-other", b"\xfe"), *headers]
    assert Envelope.from_record(key, noisy, value) == event

"""Traces follow a filing: the API's server span (a child of the caller's), the event recorded with its
context, the relay's producer span (a child of it, its context the record's traceparent), a consumer's
span (a child of that), what the consumer records in turn; retries and dead letters are span events;
log lines name the trace. Off, nothing is traced and the records carry no context."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.submissions.tables import processed_events
from services.vocabulary import SUBMISSIONS_TOPIC
from shared import tracing
from shared.bus import OutgoingRecord, Start
from shared.consumer import Consumed, ConsumerRunner
from shared.logs import configure_logging
from tests.submissions.conftest import HOA_BINH, PHU_THO, World, file, officer, plan

PORTAL_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PORTAL_SPAN = "00f067aa0ba902b7"
CALLER = {"traceparent": f"00-{PORTAL_TRACE}-{PORTAL_SPAN}-01"}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.stop_using()


class Recorder:
    """A consumer that notes the trace it applies each event in, and logs one line per event."""

    name = "tracing-test"
    topics = (SUBMISSIONS_TOPIC,)

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        self.seen.append((consumed.event.type, tracing.ids()))
        logging.getLogger("tracing-test").info("applied %s", consumed.event.type)


def consume(world: World, projection: Any) -> ConsumerRunner:
    """Let a consumer read the submissions topic to its end; return its runner (closed)."""
    runner = ConsumerRunner(
        projection, world.service.engine, processed_events, world.service.bus, world.service.catalogue
    )
    runner.run_until_caught_up(timeout=60)
    runner.close()
    return runner


def one(spans: list[ReadableSpan], kind: SpanKind, name_part: str) -> ReadableSpan:
    found = [s for s in spans if s.kind == kind and name_part in s.name]
    assert len(found) == 1, [(s.name, s.kind) for s in spans]
    return found[0]


def test_a_filing_is_one_trace_from_the_callers_request_to_the_consumer(
    world: World, spans: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = file(world, "01", plan(), {**officer(HOA_BINH), **CALLER}, school_id=HOA_BINH)
    assert answer.status_code == 201
    with world.service.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT metadata FROM events ORDER BY position DESC LIMIT 1")).scalar()
    recorded = json.loads(stored) if isinstance(stored, str) else stored
    world.service.relay(SUBMISSIONS_TOPIC).drain()
    (record,) = [
        r
        for r in world.service.bus.read([SUBMISSIONS_TOPIC], Start(), 1000)
        if r.header("ce_type") == b"PlanSubmitted"
    ]
    configure_logging("tracing-test")
    recorder = Recorder()
    consume(world, recorder)

    finished = spans.get_finished_spans()
    server = one(finished, SpanKind.SERVER, "POST /filings")
    producer = one(finished, SpanKind.PRODUCER, SUBMISSIONS_TOPIC)
    consumer = one(finished, SpanKind.CONSUMER, "apply PlanSubmitted")
    assert f"{server.context.trace_id:032x}" == PORTAL_TRACE
    assert f"{server.parent.span_id:016x}" == PORTAL_SPAN, "the API's span is a child of the caller's"
    assert recorded["traceparent"].split("-")[2] == f"{server.context.span_id:016x}", "stored with its event"
    assert record.header("ce_traceparent").decode() == recorded["traceparent"]
    assert producer.parent.span_id == server.context.span_id, "the publish is a child of the request"
    assert record.header("traceparent").decode().split("-")[2] == f"{producer.context.span_id:016x}"
    assert consumer.parent.span_id == producer.context.span_id, "the apply is a child of the publish"
    assert {s.context.trace_id for s in (server, producer, consumer)} == {server.context.trace_id}
    applied = dict(recorder.seen)["PlanSubmitted"]
    assert applied == (PORTAL_TRACE, f"{consumer.context.span_id:016x}")
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if "applied PlanSubmitted" in line
    ]
    assert lines and lines[0]["trace_id"] == PORTAL_TRACE and lines[0]["span_id"] == applied[1]


def test_off_nothing_is_traced_and_records_carry_no_context(world: World) -> None:
    assert not tracing.enabled()
    assert file(world, "01", plan(), {**officer(HOA_BINH), **CALLER}, school_id=HOA_BINH).status_code == 201
    world.service.relay(SUBMISSIONS_TOPIC).drain()
    records = world.service.bus.read([SUBMISSIONS_TOPIC], Start(), 1000)
    assert records and all(
        r.header("traceparent") is None and r.header("ce_traceparent") is None for r in records
    )


class BatchRecorder(Recorder):
    """A consumer that applies a batch at once (as scoring does)."""

    name = "tracing-batch-test"

    def apply_batch(self, conn: sa.Connection, batch: list[Consumed]) -> None:
        self.seen += [(c.event.type, tracing.ids()) for c in batch]


def test_a_batch_is_applied_under_one_span_a_child_of_its_last_record_linked_to_the_others(
    world: World, spans: InMemorySpanExporter
) -> None:
    other = {"traceparent": f"00-{'a' * 32}-{'b' * 16}-01"}
    assert file(world, "01", plan(), {**officer(HOA_BINH), **CALLER}, school_id=HOA_BINH).status_code == 201
    assert file(world, "01", plan(), {**officer(PHU_THO), **other}, school_id=PHU_THO).status_code == 201
    world.service.relay(SUBMISSIONS_TOPIC).drain()
    recorder = BatchRecorder()
    consume(world, recorder)
    finished = spans.get_finished_spans()
    batches = [s for s in finished if s.kind == SpanKind.CONSUMER and "tracing-batch-test" in s.name]
    producers = {s.context.span_id: s for s in finished if s.kind == SpanKind.PRODUCER}
    assert batches, [s.name for s in finished]
    for batch in batches:
        assert batch.parent is not None and batch.parent.span_id in producers
        assert all(link.context.span_id in producers for link in batch.links)
    traced = {f"{producers[b.parent.span_id].context.trace_id:032x}" for b in batches} | {
        f"{link.context.trace_id:032x}" for b in batches for link in b.links
    }
    assert {PORTAL_TRACE, "a" * 32} <= traced, "each filing's trace reaches the batch, as parent or link"


def test_a_dead_letter_is_noted_in_the_trace_of_the_record_that_went_there(
    world: World, spans: InMemorySpanExporter
) -> None:
    world.service.bus.ensure_topics([SUBMISSIONS_TOPIC])
    world.service.bus.publish(
        [
            OutgoingRecord(
                SUBMISSIONS_TOPIC, b"k", [("traceparent", CALLER["traceparent"].encode())], b"not an event"
            )
        ]
    )
    runner = consume(world, Recorder())
    assert runner.stats.dead_lettered == 1
    (noted,) = [s for s in spans.get_finished_spans() if s.name == "dead_letter"]
    assert f"{noted.context.trace_id:032x}" == PORTAL_TRACE and f"{noted.parent.span_id:016x}" == PORTAL_SPAN
    (event,) = noted.events
    assert event.name == "dead_letter" and "missing CloudEvents attributes" in event.attributes["reason"]

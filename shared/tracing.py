"""Traces across HTTP, the outbox, Kafka and every consumer (OpenTelemetry), off unless configured.

The standard variables configure it: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) turns it
on, and the SDK reads ``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER`` and the rest as it always does. Off,
nothing here starts a span: each hook is one check of a module flag.

How a filing's trace goes: the API's server span is current while the command records its events, so the
event store keeps its context with each event (the CloudEvents distributed-tracing attributes
``traceparent`` and ``tracestate``, in the event's metadata and as ``ce_traceparent`` on its record). The
relay publishes each event under a producer span, a child of that context, whose own context is the
record's W3C ``traceparent`` header. A consumer applies each record under a consumer span, a child of the
producer's, and whatever it records in turn carries the consumer span's context on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from shared.envelope import Envelope

PROPAGATOR = TraceContextTextMapPropagator()
TRACER: Any = trace.NoOpTracer()
_enabled = False
_provider: Any = None
BATCH_LINKS = 2048  # at least the largest batch a consumer applies at once (a rebuild's 2,000)


def configure(service: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send this process's spans over OTLP/HTTP when the standard variables say where; return whether on."""
    env = os.environ if environ is None else environ
    wanted = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if not wanted or env.get("OTEL_SDK_DISABLED", "").lower() == "true" or _enabled:
        return _enabled
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = new_provider(service, env)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    use(provider)
    return True


def new_provider(service: str, environ: Mapping[str, str]) -> Any:
    """Return a tracer provider named by the standard variables, with room for a link per batched record.

    A batch's consumer span links every record it applies but the last (its parent): the SDK's default of
    128 links would drop the first records of a larger batch, and their traces would end at the publish."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanLimits, TracerProvider

    name = environ.get("OTEL_SERVICE_NAME") or f"thidua-{service}"
    links = int(environ.get("OTEL_SPAN_LINK_COUNT_LIMIT") or BATCH_LINKS)
    return TracerProvider(
        resource=Resource.create({"service.name": name, "process.pid": os.getpid()}),
        span_limits=SpanLimits(max_links=links),
    )


def use(provider: Any) -> None:
    """Trace with a given provider (configure's, or a test's with an exporter of its own)."""
    global _enabled, _provider, TRACER
    _provider, TRACER, _enabled = provider, provider.get_tracer("thidua"), True


def stop_using() -> None:
    """Trace no more (a test's provider is done with); the spans already ended stay exported."""
    global _enabled, _provider, TRACER
    _provider, TRACER, _enabled = None, trace.NoOpTracer(), False


def enabled() -> bool:
    """Return whether this process traces."""
    return _enabled


def shutdown() -> None:
    """Send what is still buffered (a worker's last spans) before the process ends."""
    if _provider is not None and hasattr(_provider, "shutdown"):
        _provider.shutdown()


def current() -> dict[str, str]:
    """Return the W3C ``traceparent`` (and ``tracestate``) of the span now current; empty when none."""
    if not _enabled:
        return {}
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier)
    return carrier


def _context_of(carrier: Mapping[str, str]) -> otel_context.Context | None:
    return PROPAGATOR.extract(dict(carrier)) if carrier.get("traceparent") else None


def start_server_span(method: str, route: str, headers: Any) -> Any:
    """Start an HTTP request's server span (a child of the caller's ``traceparent``) and make it current.

    ``headers`` is the request's (anything with ``items()``). Returns what ``end_server_span`` needs, or
    None when off.
    """
    if not _enabled:
        return None
    carrier = {k.lower(): v for k, v in headers.items() if k.lower() in ("traceparent", "tracestate")}
    span = TRACER.start_span(
        f"{method} {route}",
        context=_context_of(carrier),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "http.route": route},
    )
    return span, otel_context.attach(trace.set_span_in_context(span))


def end_server_span(started: Any, status: int | None) -> None:
    """End a server span with the answer's status (a 5xx, or no answer, marks it failed)."""
    if started is None:
        return
    span, token = started
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if status is None or status >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
    otel_context.detach(token)


@contextmanager
def producer_spans(topic: str, events: Sequence[Envelope]) -> Iterator[list[dict[str, str]]]:
    """Publish events under one producer span each, a child of the context it was recorded in and named
    by its CloudEvents type and id.

    Yields the ``traceparent`` headers the records carry, one per event (empty ones when off).
    """
    if not _enabled:
        yield [{} for _ in events]
        return
    spans = [
        TRACER.start_span(
            f"publish {topic}",
            context=_context_of(_recorded_in(event)),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "cloudevents.event_type": event.type,
                "cloudevents.event_id": event.id,
            },
        )
        for event in events
    ]
    try:
        headers = []
        for span in spans:
            carrier: dict[str, str] = {}
            PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
            headers.append(carrier)
        yield headers
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        for span in spans:
            span.end()


def _recorded_in(event: Envelope) -> dict[str, str]:
    """Return the trace context an event was recorded in (empty when it was not traced)."""
    return {k: v for k, v in (("traceparent", event.traceparent), ("tracestate", event.tracestate)) if v}


def consumer_span(consumer: str, event_type: str, headers: Sequence[tuple[str, bytes]]) -> Any:
    """Return a context that applies one record under a consumer span, a child of its producer's."""
    if not _enabled:
        return nullcontext()
    return TRACER.start_as_current_span(
        f"{consumer} apply {event_type}",
        context=_context_of(_carrier(headers)),
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.consumer.group.name": consumer},
    )


def batch_consumer_span(consumer: str, batch: Sequence[Sequence[tuple[str, bytes]]]) -> Any:
    """Return a context that applies a batch under one consumer span: a child of the last record's
    producer, linked to the others' (one record: exactly as ``consumer_span``)."""
    if not _enabled or not batch:
        return nullcontext()
    contexts = [_context_of(_carrier(headers)) for headers in batch]
    known = [c for c in contexts if c is not None]
    links = [Link(trace.get_current_span(c).get_span_context()) for c in known[:-1]]
    return TRACER.start_as_current_span(
        f"{consumer} apply {len(batch)} events",
        context=known[-1] if known else None,
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={"messaging.system": "kafka", "messaging.batch.message_count": len(batch)},
    )


def _carrier(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    """Return a record's W3C context: the publish's, else (published untraced) the event's own."""
    carrier = {
        name: value.decode("latin-1") for name, value in headers if name in ("traceparent", "tracestate")
    }
    if carrier:
        return carrier
    return {
        name.removeprefix("ce_"): value.decode("latin-1")
        for name, value in headers
        if name in ("ce_traceparent", "ce_tracestate")
    }


def record_event(
    name: str, headers: Sequence[tuple[str, bytes]], **attributes: Any
) -> list[tuple[str, bytes]]:
    """Note what befell a record (a dead letter, a re-drive) in its trace: the current span gets the event,
    or, outside any, a short span of that name, a child of the record's context. Returns the W3C headers a
    copy of the record carries on (empty when off)."""
    if not _enabled:
        return []
    values = {k: str(v) for k, v in attributes.items()}
    current = trace.get_current_span()
    if current.get_span_context().is_valid:
        current.add_event(name, values)
        span_context = trace.set_span_in_context(current)
    else:
        span = TRACER.start_span(name, context=_context_of(_carrier(headers)), attributes=values)
        span.add_event(name, values)
        span.end()
        span_context = trace.set_span_in_context(span)
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier, context=span_context)
    return [(k, v.encode()) for k, v in carrier.items()]


def note(name: str, **attributes: Any) -> None:
    """Add an event (a retry, a dead letter, a re-drive) with its reasons to the span now current."""
    if _enabled:
        trace.get_current_span().add_event(name, {k: str(v) for k, v in attributes.items()})


def ids() -> tuple[str, str] | None:
    """Return the current span's trace id and span id in hex, for log lines (None when none)."""
    if not _enabled:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"

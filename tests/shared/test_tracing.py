"""The tracer provider the services configure: a batch's consumer span keeps a link to every record."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing


def headers(n: int) -> list[tuple[str, bytes]]:
    """Return the W3C headers of the n-th record's publish, each record its own trace."""
    return [("traceparent", f"00-{n + 1:032x}-{n + 1:016x}-01".encode())]


def test_a_batch_of_two_thousand_records_links_every_record_but_its_parent() -> None:
    exporter = InMemorySpanExporter()
    provider = tracing.new_provider("scoring", {})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    try:
        with tracing.batch_consumer_span("scoring", [headers(n) for n in range(2000)]):
            pass
    finally:
        tracing.stop_using()
    (span,) = exporter.get_finished_spans()
    assert span.parent is not None and span.parent.span_id == 2000
    # The first record's trace is kept: the SDK's default of 128 links kept only the last 128.
    assert [link.context.span_id for link in span.links] == list(range(1, 2000))


def test_the_standard_variable_sets_the_link_limit() -> None:
    provider = tracing.new_provider("scoring", {"OTEL_SPAN_LINK_COUNT_LIMIT": "5"})
    assert provider._span_limits.max_links == 5
    assert tracing.new_provider("scoring", {})._span_limits.max_links == tracing.BATCH_LINKS

"""Prometheus metrics: requests and latency, events published, consumed and failed, relay and consumer lag.

Counters live in the process's default registry; lags are computed when /metrics is scraped.
Worker processes expose theirs on WORKER_METRICS_PORT when it is set. Under gunicorn (several worker
processes per API) services/gunicorn_conf.py sets PROMETHEUS_MULTIPROC_DIR, and /metrics answers the sum
over the API's processes, whichever of them is asked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask import Flask, Response, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shared.bus import GroupLag

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "thidua_http_requests_total", "HTTP requests answered.", ["service", "method", "endpoint", "status"]
)
LATENCY = Histogram("thidua_http_request_seconds", "HTTP request latency.", ["service", "method", "endpoint"])
PUBLISHED = Counter("thidua_events_published_total", "Events the relay published.", ["relay", "topic"])
CONSUMED = Counter("thidua_events_consumed_total", "Events a consumer applied.", ["consumer"])
DUPLICATES = Counter("thidua_events_duplicates_total", "Repeated events a consumer skipped.", ["consumer"])
FAILED = Counter("thidua_events_failed_total", "Events a consumer sent to the DLQ.", ["consumer"])


class LagCollector(Collector):
    """Relay lag (stored, not yet published) and consumer lag per group and partition, read at scrape time."""

    def __init__(
        self, service: str, relay_lag: Callable[[], int | None], group_lag: Callable[[], list[GroupLag]]
    ):
        self.service = service
        self.relay_lag = relay_lag
        self.group_lag = group_lag

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the lag gauges (empty when a source does not answer)."""
        relay = GaugeMetricFamily(
            "thidua_relay_lag_events", "Events stored but not yet published.", labels=["service"]
        )
        try:
            value = self.relay_lag()
            if value is not None:
                relay.add_metric([self.service], value)
        except Exception:  # a scrape must never fail because the database is away
            pass
        yield relay
        consumer = GaugeMetricFamily(
            "thidua_consumer_lag_events",
            "Records a consumer group has not handled.",
            labels=["group", "topic", "partition"],
        )
        try:
            for lag in self.group_lag():
                consumer.add_metric([lag.group, lag.topic, str(lag.partition)], lag.lag)
        except Exception:
            pass
        yield consumer


def relay_lag_of(engine: sa.Engine, metadata: sa.MetaData) -> Callable[[], int | None]:
    """Return a reader of how many stored events the relay has not published (None without an event store)."""
    if "events" not in metadata.tables:
        return lambda: None
    events, progress = metadata.tables["events"], metadata.tables["relay_progress"]

    def read() -> int:
        with engine.connect() as conn:
            published = conn.execute(sa.select(sa.func.max(progress.c.position))).scalar() or 0
            return int(
                conn.execute(sa.select(sa.func.count()).where(events.c.position > published)).scalar_one()
            )

    return read


def instrument(app: Flask, service: str, lags: LagCollector) -> None:
    """Count and time every request, and serve /metrics."""
    registry = CollectorRegistry()
    registry.register(lags)

    @app.before_request
    def _start() -> None:
        g.metrics_start = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        if "metrics_start" in g:
            LATENCY.labels(service, request.method, endpoint).observe(time.perf_counter() - g.metrics_start)
        REQUESTS.labels(service, request.method, endpoint, str(response.status_code)).inc()
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        """Expose the metrics in the Prometheus text format (summed over the API's processes)."""
        return Response(generate_latest(counters()) + generate_latest(registry), mimetype=CONTENT_TYPE)


def counters() -> CollectorRegistry:
    """Return the registry of the counters: every process's of this API in multiprocess mode, else ours."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed)
    return summed

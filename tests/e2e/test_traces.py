"""One filing followed through the suite in a real OpenTelemetry Collector, on Kafka and PostgreSQL.

Every service runs as its own process (submissions' worker as two replicas) and sends its spans over
OTLP/HTTP to the suite's collector (deploy/otelcol), which writes them to a file as OTLP JSON. A school's
officer files Form 04 through the portal; its trace must hold the portal's request, the submissions API's
span under it, the relay's publish under that, scoring's apply under the publish, the publish of the
``ScoresComputed`` it records, and the audit trail's apply of that event, each a child (or, in a batch, a
link) of the one before. Then the replica holding the relay's lease is frozen, a second filing is made,
and the frozen replica is killed: the standby's publish is a child of that request's span.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from services.forms import FORMS, YEAR_END_REPORT_FORM
from services.vocabulary import SUBMISSIONS_TOPIC
from tests.chaos.checks import lease_holder_pid
from tests.conftest import fresh_database
from tests.e2e.processes import ROOT, Suite, csrf_token, portal_account, signed_in
from tests.factories import TEST_SECRET
from tests.ports import quiet_port
from tests.submissions.conftest import HOA_BINH, PHU_THO, figures

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.timeout(600)]
SERVICES = ("registry", "submissions", "scoring", "notifications", "portal")
PASSWORD = "mot-mat-khau-dai-cho-thu-nghiem"
OFFICERS = {HOA_BINH: "thidua@hoabinh.invalid", PHU_THO: "thidua@phutho.invalid"}
EVENT_TYPE = "cloudevents.event_type"
KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
COLLECTOR_CONFIG = """
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{port}
exporters:
  file:
    path: {path}
    flush_interval: 100ms
service:
  telemetry:
    logs: {{level: warn}}
    metrics: {{level: none}}
  pipelines:
    traces: {{receivers: [otlp], exporters: [file]}}
"""


@dataclass(frozen=True)
class Span:
    """One span as the collector wrote it."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: str
    service: str
    pid: int
    links: frozenset[str]
    attributes: dict[str, Any]

    def __repr__(self) -> str:
        return f"<{self.service} {self.kind} {self.name!r} {self.trace_id[:8]}/{self.span_id}>"


def _value(wrapped: dict[str, Any]) -> Any:
    (kind, value), *_ = wrapped.items()
    return int(value) if kind == "intValue" else value


def _attributes(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {item["key"]: _value(item["value"]) for item in items}


class Collector:
    """The suite's OpenTelemetry Collector, run for one test module, and the spans it wrote."""

    def __init__(self, home: Path):
        binary = subprocess.run(
            [str(ROOT / "deploy" / "traces.sh"), "collector"],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        ).stdout.strip()
        self.port, self.path = quiet_port(), home / "spans.jsonl"
        config = home / "collector.yaml"
        config.write_text(COLLECTOR_CONFIG.format(port=self.port, path=self.path))
        log = open(home / "collector.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen([binary, "--config", str(config)], stdout=log, stderr=log)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while not _listens(self.port):
            assert self.process.poll() is None and time.monotonic() < deadline, (
                home / "collector.log"
            ).read_text()
            time.sleep(0.1)

    def spans(self) -> list[Span]:
        """Return every span written so far."""
        if not self.path.exists():
            return []
        found = []
        *complete, _being_written = self.path.read_text().split("\n")
        for line in complete:
            for resource_spans in json.loads(line)["resourceSpans"]:
                resource = _attributes(resource_spans["resource"]["attributes"])
                for scope in resource_spans["scopeSpans"]:
                    for span in scope["spans"]:
                        found.append(
                            Span(
                                span["traceId"],
                                span["spanId"],
                                span.get("parentSpanId", ""),
                                span["name"],
                                KINDS[span["kind"]],
                                resource["service.name"],
                                int(resource.get("process.pid", 0)),
                                frozenset(link["spanId"] for link in span.get("links", [])),
                                _attributes(span.get("attributes", [])),
                            )
                        )
        return found

    def close(self) -> None:
        """Stop the collector (it flushes its file first)."""
        self.process.terminate()
        self.process.wait(timeout=30)


def _listens(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/", timeout=1)
    except requests.ConnectionError:
        return False
    return True


@dataclass
class Traced:
    suite: Suite
    collector: Collector
    urls: dict[str, str]
    databases: dict[str, str]

    def file_year_end_report(self, school_id: str, summary: str) -> None:
        """File a school's Form 04 through the portal's page, as its officer does (see ``filed``)."""
        browser = signed_in(self.urls["portal"], OFFICERS[school_id], PASSWORD)
        page = f"{self.urls['portal']}/truong/mau/{YEAR_END_REPORT_FORM}"
        form = browser.get(page, timeout=10)
        assert form.status_code == 200, form.text
        data = {"csrf_token": csrf_token(form.text), "summary": summary, "notes": ""}
        data |= {f"figures.{key}": str(value) for key, value in figures().items() if type(value) is int}
        data["figures.standard_school_goal_met"] = "on"  # a checkbox
        assert set(data) - {"csrf_token"} == {field.name for field in FORMS[YEAR_END_REPORT_FORM].asked}
        answer = browser.post(page, data=data, timeout=30, allow_redirects=False)
        assert answer.status_code == 302, answer.text

    def filed(self, before: list[Span]) -> Span:
        """Wait for the portal's span of a filing accepted after the ``before`` ones; return it."""
        known = {s.span_id for s in before}
        return self.wait_for(
            lambda spans: next((s for s in filings(spans) if s.span_id not in known), None),
            "portal request of the filing",
        )

    def settle(self, quiet: float = 3.0) -> None:
        """Wait until no span has been written for ``quiet`` seconds: the start's own events (the
        registry's seed, the deadline watcher's first round) are all applied and traced."""
        last, since = -1, time.monotonic()
        deadline = since + 120
        while time.monotonic() - since < quiet:
            assert time.monotonic() < deadline, "the suite never settled"
            if (count := len(self.collector.spans())) != last:
                last, since = count, time.monotonic()
            time.sleep(0.5)

    def wait_for(self, find: Any, what: str, timeout: float = 120) -> Any:
        """Poll the collector's spans until ``find(spans)`` returns something true; return it.

        ``find`` may return a falsy value that says how far it got (shown if it never gets there)."""
        deadline = time.monotonic() + timeout
        while True:
            spans = self.collector.spans()
            if found := find(spans):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} among {len(spans)} spans: {found}\n{self.suite.logs()}")
            time.sleep(0.5)


@pytest.fixture(scope="module")
def traced(
    kafka_bootstrap: str, postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Traced]:
    home = tmp_path_factory.mktemp("traces")
    collector = Collector(home)
    with (
        fresh_database(postgres_server) as registry_db,
        fresh_database(postgres_server) as submissions_db,
        fresh_database(postgres_server) as scoring_db,
        fresh_database(postgres_server) as notifications_db,
        fresh_database(postgres_server) as portal_db,
    ):
        databases = dict(
            zip(SERVICES, (registry_db, submissions_db, scoring_db, notifications_db, portal_db), strict=True)
        )
        suite = Suite(
            {
                "THIDUA_BUS_URL": f"kafka://{kafka_bootstrap}?namespace=t{uuid.uuid4().hex[:8]}.",
                **{f"{service.upper()}_DATABASE_URL": url for service, url in databases.items()},
                "THIDUA_JWT_SECRET": TEST_SECRET,
                "THIDUA_DATA_DIR": str(home),
                "THIDUA_CLOCK_AT": "2023-10-20T09:00:00+07:00",
                "SUBMISSIONS_DOCUMENTS_DIR": str(home / "documents"),
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "200",
            },
            home,
        )
        try:
            for service in SERVICES:
                suite.migrate(service)
            suite.run_role("registry", "seed")
            for school_id, email in OFFICERS.items():
                portal_account(portal_db, email, "Cán bộ thi đua", "school_officer", school_id, PASSWORD)
            urls = {service: suite.start_api(service) for service in SERVICES[:4]}
            suite.env.update({f"{service.upper()}_URL": url for service, url in urls.items()})
            for service in SERVICES[:4]:
                suite.start_worker(service)
            suite.start_worker("submissions", "submissions-standby")
            urls["portal"] = suite.start_api("portal")
            suite.wait_for_year(urls["submissions"], 2023, 120)
            yield Traced(suite, collector, urls, databases)
        finally:
            suite.stop_all()
            collector.close()


def filings(spans: list[Span]) -> list[Span]:
    """Return the portal's spans of form POSTs that redirected (each a filing accepted)."""
    return [
        s
        for s in spans
        if s.service == "thidua-portal"
        and s.kind == "server"
        and s.name == "POST /truong/mau/<form>"
        and s.attributes.get("http.response.status_code") == 302
    ]


def child(spans: list[Span], parents: list[Span], service: str, kind: str, **attributes: Any) -> list[Span]:
    """Return the spans of a service and kind that are children of (or linked to) any of ``parents``."""
    ids = {p.span_id for p in parents}
    return [
        s
        for s in spans
        if s.service == service
        and s.kind == kind
        and (s.parent_id in ids or s.links & ids)
        and all(s.attributes.get(k) == v for k, v in attributes.items())
    ]


class Reached(dict[str, list[Span]]):
    """The hops of a trace found so far, false until each has a span."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return repr({hop: spans for hop, spans in self.items()})


def follow(traced: Traced, request: Span) -> dict[str, list[Span]]:
    """Wait until the filing's trace reaches the audit trail's apply of ScoresComputed; return each hop."""

    def hops(spans: list[Span]) -> dict[str, list[Span]] | Reached:
        found: dict[str, list[Span]] = {"portal": [request]}
        found["api"] = child(spans, found["portal"], "thidua-submissions", "server")
        found["publish"] = child(
            spans,
            found["api"],
            "thidua-submissions",
            "producer",
            **{EVENT_TYPE: "YearEndReportSubmitted"},
        )
        found["scoring"] = child(spans, found["publish"], "thidua-scoring", "consumer")
        found["scores"] = child(
            spans,
            found["scoring"],
            "thidua-scoring",
            "producer",
            **{EVENT_TYPE: "ScoresComputed"},
        )
        found["audit"] = [
            s for s in child(spans, found["scores"], "thidua-notifications", "consumer") if "audit" in s.name
        ]
        return found if all(found.values()) else Reached(found)

    return traced.wait_for(hops, "trace from the portal's request to the audit of ScoresComputed")


def test_a_form_04_filed_in_the_portal_is_one_trace_down_to_the_audit_of_its_scores(
    traced: Traced,
) -> None:
    traced.settle()  # so that no other record shares the filing's batch in scoring
    before = filings(traced.collector.spans())
    traced.file_year_end_report(HOA_BINH, "Báo cáo tổng kết năm 2023 của Trường Chính trị tỉnh Hòa Bình.")
    request = traced.filed(before)
    assert request.parent_id == ""  # the portal's request starts the trace
    hops = follow(traced, request)
    trace_ids = {span.trace_id for spans in hops.values() for span in spans}
    assert trace_ids == {request.trace_id}, hops  # one filing, one trace
    print("trace", request.trace_id, {hop: [s.name for s in spans] for hop, spans in hops.items()})
    (publish,) = hops["publish"]
    (api,) = [s for s in hops["api"] if s.span_id == publish.parent_id]  # the POST that filed it
    assert api.name.startswith("POST ") and api.parent_id == request.span_id
    assert publish.parent_id == api.span_id
    assert publish.attributes["messaging.destination.name"] == SUBMISSIONS_TOPIC
    for scoring in hops["scoring"]:  # a child of the last record's publish, linked to the batch's others
        assert scoring.parent_id == publish.span_id or publish.span_id in scoring.links
    (scores,) = hops["scores"]
    assert scores.parent_id in {s.span_id for s in hops["scoring"]}
    (audit,) = hops["audit"]
    assert audit.parent_id == scores.span_id or scores.span_id in audit.links


def test_across_a_relay_failover_the_standbys_publish_is_a_child_of_the_request(traced: Traced) -> None:
    submissions_db = traced.databases["submissions"]
    holder = lease_holder_pid(submissions_db, "submissions-relay")
    name = next(n for n in ("submissions-worker", "submissions-standby") if traced.suite.pid_of(n) == holder)
    standby = traced.suite.pid_of(next(n for n in ("submissions-worker", "submissions-standby") if n != name))
    before = filings(traced.collector.spans())
    subprocess.run(
        ["kill", "-STOP", str(holder)], check=True
    )  # the holder stops: the filing waits for a relay
    try:
        traced.file_year_end_report(PHU_THO, "Báo cáo tổng kết năm 2023 của Trường Chính trị tỉnh Phú Thọ.")
    finally:
        traced.suite.kill(name)  # SIGKILL the frozen holder: it never publishes
    request = traced.filed(before)
    hops = follow(traced, request)
    (publish,) = hops["publish"]
    assert publish.pid == standby != holder  # published by the replica that took the lease over
    (api,) = [s for s in hops["api"] if s.span_id == publish.parent_id]
    assert api.parent_id == request.span_id and publish.trace_id == request.trace_id
    assert lease_holder_pid(submissions_db, "submissions-relay") == standby
    # The standby publishes what waited for it (the deadline watcher's events too) in one go, so scoring
    # may apply the filing in a batch: a child of the batch's last record, linked to the filing's publish.
    for scoring in hops["scoring"]:
        assert scoring.parent_id == publish.span_id or publish.span_id in scoring.links
    print("trace", request.trace_id, {hop: [s.name for s in spans] for hop, spans in hops.items()})

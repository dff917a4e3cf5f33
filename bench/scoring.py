"""Rebuild the scoring read models from a synthetic year beside raw kafka-python consumption of the topics.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_SCORING_EVENTS=50000] [BENCH_POSTGRES_URL=server] \\
        [BENCH_REPEAT=3] python -m bench.scoring

The events are a synthetic year in the order a year happens: the campaign, the schools and their
clusters (10 schools each), then every Form 01, every Form 04, every score sheet, then rounds of
score-sheet amendments. Raw consumption and the rebuild run in turn; the ratio's goal is 60%.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer

from bench.fixtures import as_relayed
from bench.stats import HEADER, Comparison, Figure, alternate, table
from services.registry.seed.campaign_2023 import campaign_2023
from services.scoring.app.rebuilds import rebuild
from services.scoring.bootstrap import bootstrap, migrate
from services.scoring.config import ScoringSettings
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.bus import OutgoingRecord, make_bus
from shared.db import fresh_database
from shared.envelope import Envelope
from shared.settings import CommonSettings

PER_CLUSTER = 10
FIXED_PER_SCHOOL = 5  # registered, joined, 01, 04, 5.1


def year_events(count: int) -> Iterator[tuple[str, Envelope]]:
    """Yield (topic, event) of a synthetic year with about ``count`` events."""
    campaign = campaign_2023()
    template = campaign["score_sheets"][0]
    amendments = 15
    schools = max(1, (count - 1) // (FIXED_PER_SCHOOL + amendments))
    yield REGISTRY_TOPIC, Envelope("CampaignOpened", "registry", "campaign-2023", campaign)
    ids = [f"sch_bench_{n:06d}" for n in range(schools)]
    for n, school in enumerate(ids):
        yield (
            REGISTRY_TOPIC,
            Envelope(
                "SchoolRegistered",
                "registry",
                f"school-{school}",
                {
                    "school_id": school,
                    "code": f"B{n:06d}",
                    "name": f"Trường Chính trị {n}",
                    "kind": "provincial",
                    "province": "Tỉnh",
                    "valid_from": "2021-01-01",
                    "email": None,
                    "phone": None,
                },
            ),
        )
    for n, school in enumerate(ids):
        yield (
            REGISTRY_TOPIC,
            Envelope(
                "SchoolJoinedCluster",
                "registry",
                f"cluster-{n // PER_CLUSTER}",
                {"cluster_id": f"cl_bench_{n // PER_CLUSTER:05d}", "year": 2023, "school_id": school},
            ),
        )
    sheets = {}
    for form, event, make in (
        (
            "01",
            "PlanSubmitted",
            lambda n: {"summary": "Kế hoạch", "registered_titles": ["Cờ thi đua"], "notes": ""},
        ),
        (
            "04",
            "YearEndReportSubmitted",
            lambda n: {"summary": "Báo cáo", "figures": figures_of(n), "notes": ""},
        ),
        ("5.1", "ScoreSheetSubmitted", lambda n: score_sheet_of(template, n)),
    ):
        for n, school in enumerate(ids):
            submission = f"sub_{form}_{n}"
            data = filing_of(submission, form, school, n, make(n))
            sheets[school] = data
            yield SUBMISSIONS_TOPIC, Envelope(event, "submissions", f"submission-{submission}", data)
    for round_ in range(amendments):
        for n, school in enumerate(ids):
            data = {
                **sheets[school],
                "payload": score_sheet_of(template, n + round_ + 1),
                "amendment": round_ + 1,
            }
            yield (
                SUBMISSIONS_TOPIC,
                Envelope("SubmissionAmended", "submissions", f"submission-{data['submission_id']}", data),
            )


def publish(bus_url: str, count: int) -> int:
    """Publish the synthetic year; return how many events were published."""
    bus = make_bus(bus_url)
    bus.ensure_topics([REGISTRY_TOPIC, SUBMISSIONS_TOPIC])
    batch: list[OutgoingRecord] = []
    published = 0
    for topic, envelope in year_events(count):
        [record] = as_relayed([envelope], first=published + len(batch) + 1)
        batch.append(OutgoingRecord(topic, *record))
        if len(batch) == 5000:
            bus.publish(batch)
            published += len(batch)
            batch = []
    bus.publish(batch)
    bus.close()
    return published + len(batch)


def raw_consume(servers: str, namespace: str, count: int) -> float:
    """Read every record of both topics with a bare kafka-python consumer; return events/s."""
    consumer = KafkaConsumer(
        namespace + REGISTRY_TOPIC,
        namespace + SUBMISSIONS_TOPIC,
        bootstrap_servers=servers,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=2000,
    )
    consumer.poll(timeout_ms=5000, max_records=1)
    consumer.seek_to_beginning()
    seen, start = 0, time.perf_counter()
    while seen < count:
        for messages in consumer.poll(timeout_ms=1000, max_records=2000).values():
            seen += len(messages)
    elapsed = time.perf_counter() - start
    consumer.close()
    return seen / elapsed


def scoring_rebuild(database_url: str, bus_url: str, count: int) -> float:
    """Rebuild the scoring read models from the topics; return events/s."""
    return count / timed_rebuild(database_url, bus_url)


def timed_rebuild(database_url: str, bus_url: str) -> float:
    """Migrate a scoring database, rebuild it from the bus, and return the rebuild's seconds."""
    common = CommonSettings("scoring", database_url, bus_url, 3, "bench-secret-" + "x" * 32, "WARNING")
    settings = ScoringSettings(common)
    migrate(settings)
    service = bootstrap(settings)
    start = time.perf_counter()
    rebuild(service, timeout=7200)
    elapsed = time.perf_counter() - start
    service.close()
    return elapsed


def rebuild_comparisons(
    servers: str, count: int, repeat: int, postgres_server: str | None
) -> list[Comparison]:
    """Publish a year once, then alternate raw consumption and the scoring rebuild (SQLite, PostgreSQL)."""
    namespace = f"bench{uuid.uuid4().hex[:8]}."
    bus_url = f"kafka://{servers}?namespace={namespace}"
    published = publish(bus_url, count)
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-scoring-"))
    made = iter(range(10**6))

    def raw(_run: int) -> float:
        return raw_consume(servers, namespace, published)

    def on_sqlite(_run: int) -> float:
        return scoring_rebuild(f"sqlite:///{tmp / f'scoring{next(made)}.sqlite'}", bus_url, published)

    def on_postgres(_run: int) -> float:
        with fresh_database(postgres_server or "", prefix="bench") as url:
            return scoring_rebuild(url, bus_url, published)

    rows = []
    for name, rebuild_run in [
        ("SQLite", on_sqlite),
        *([("PostgreSQL", on_postgres)] if postgres_server else []),
    ]:
        baseline, ours = alternate(repeat, raw, rebuild_run)
        rows.append(
            Comparison(
                Figure(f"scoring rebuild, {name} ({published:,} events)", tuple(ours), "events/s"),
                Figure("raw consume of the same topics", tuple(baseline), "events/s"),
                0.60,
            )
        )
    return rows


def main() -> int:
    """Publish a year, then compare raw consumption with the scoring rebuild and print the table."""
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not servers:
        print("set KAFKA_BOOTSTRAP_SERVERS (make kafka-start starts one on 127.0.0.1:9092)", file=sys.stderr)
        return 2
    count = int(os.environ.get("BENCH_SCORING_EVENTS", "50000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    rows = rebuild_comparisons(servers, count, repeat, os.environ.get("BENCH_POSTGRES_URL"))
    print(f"\nScoring rebuild, {repeat} alternating runs, one broker at {servers}\n")
    print(table([row.row() for row in rows], HEADER))
    return 0


def filing_of(
    submission: str,
    form: str,
    school: str,
    n: int,
    payload: dict[str, Any],
    year: int = 2023,
    cluster: str = "",
) -> dict[str, Any]:
    """Return a filing event's data for the n-th school of a year."""
    return {
        "submission_id": submission,
        "year": year,
        "form": form,
        "filer_type": "school",
        "filer_id": school,
        "cluster_id": cluster or f"cl_bench_{n // PER_CLUSTER:05d}",
        "filed_at": "2023-11-01T03:00:00+00:00",
        "deadline_code": None,
        "due": None,
        "on_time": n % 7 != 0,
        "documents": [],
        "payload": payload,
    }


def score_sheet_of(template: dict[str, Any], n: int) -> dict[str, Any]:
    """Return the n-th school's score sheet payload for a template."""
    items = [item for group in template["groups"] for item in group["items"]]
    scores = [
        {"criterion": item["code"], "points": max(0, item["max_points"] - (n + i) % 3)}
        for i, item in enumerate(items)
    ]
    return {"scores": scores, "bonus": [], "notes": ""}


def figures_of(n: int) -> dict[str, Any]:
    """Return the n-th school's Form 04 appendix figures."""
    return {
        "staff": 50,
        "lao_dong_tien_tien": 40 + n % 10,
        "chien_si_thi_dua_co_so": 5,
        "collectives": 8,
        "tap_the_lao_dong_tien_tien": 6,
        "tap_the_lao_dong_xuat_sac": n % 3,
        "commended": 4,
        "party_orgs": 5,
        "party_orgs_good_or_better": 4,
        "party_orgs_excellent": 1,
        "units": 8,
        "units_good_or_better": 8,
        "departments": 8,
        "departments_responding": 8,
        "discipline_violations": n % 11 == 0,
        "standard_school_goal_met": True,
    }


if __name__ == "__main__":
    sys.exit(main())

"""How the scoring rebuild grows with the years kept: 1, 3 and 10 years of a national campaign.

    python -m bench.scale  [KAFKA_BOOTSTRAP_SERVERS] [BENCH_SCALE_SCHOOLS=10000] [BENCH_SCALE_YEARS=1,3,10]

Each year has 10,000 schools in 1,000 clusters (10 each): the campaign, the memberships, and every school's
Form 01, Form 04 and score sheet (about 40,000 events a year, plus the schools' registration once). Each
size is published to its own topics and rebuilt from them in a fresh process on SQLite, which reports its
time and its peak memory (resident set).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.fixtures import as_relayed
from bench.scoring import PER_CLUSTER, figures_of, filing_of, score_sheet_of, timed_rebuild
from bench.stats import table
from services.registry.seed.campaign_2023 import campaign_2023
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.bus import OutgoingRecord, make_bus
from shared.envelope import Envelope


def years_events(years: int, schools: int) -> Iterator[tuple[str, Envelope]]:
    """Yield (topic, event) of ``years`` campaigns of ``schools`` schools each, year after year."""
    ids = [f"sch_scale_{n:06d}" for n in range(schools)]
    for n, school in enumerate(ids):
        data = {
            "school_id": school,
            "code": f"S{n:06d}",
            "name": f"Trường Chính trị {n}",
            "kind": "provincial",
            "province": "Tỉnh",
            "valid_from": "2021-01-01",
            "email": None,
            "phone": None,
        }
        yield REGISTRY_TOPIC, Envelope("SchoolRegistered", "registry", f"school-{school}", data)
    for year in range(2023, 2023 + years):
        campaign = {**campaign_2023(), "year": year}
        template = campaign["score_sheets"][0]
        yield REGISTRY_TOPIC, Envelope("CampaignOpened", "registry", f"campaign-{year}", campaign)
        for n, school in enumerate(ids):
            cluster = f"cl_scale_{year}_{n // PER_CLUSTER:05d}"
            joined = {"cluster_id": cluster, "year": year, "school_id": school}
            yield REGISTRY_TOPIC, Envelope("SchoolJoinedCluster", "registry", f"cluster-{cluster}", joined)
        for form, event, make in (
            ("01", "PlanSubmitted", lambda n: {"summary": "Kế hoạch", "registered_titles": ["Cờ thi đua"]}),
            ("04", "YearEndReportSubmitted", lambda n: {"summary": "Báo cáo", "figures": figures_of(n)}),
            ("5.1", "ScoreSheetSubmitted", lambda n, t=template: score_sheet_of(t, n)),
        ):
            for n, school in enumerate(ids):
                submission = f"sub_{year}_{form}_{n}"
                cluster = f"cl_scale_{year}_{n // PER_CLUSTER:05d}"
                data = filing_of(submission, form, school, n, {**make(n), "notes": ""}, year, cluster)
                yield SUBMISSIONS_TOPIC, Envelope(event, "submissions", f"submission-{submission}", data)


def publish(bus_url: str, years: int, schools: int) -> int:
    """Publish the years to the bus; return how many events."""
    bus = make_bus(bus_url)
    bus.ensure_topics([REGISTRY_TOPIC, SUBMISSIONS_TOPIC])
    batch: list[OutgoingRecord] = []
    count = 0
    for topic, envelope in years_events(years, schools):
        [record] = as_relayed([envelope], first=count + len(batch) + 1)
        batch.append(OutgoingRecord(topic, *record))
        if len(batch) == 5000:
            bus.publish(batch)
            count, batch = count + len(batch), []
    bus.publish(batch)
    bus.close()
    return count + len(batch)


def rebuild_in_child(bus_url: str, database_url: str) -> tuple[float, float]:
    """Rebuild scoring from the bus in a fresh process; return (seconds, peak resident MiB)."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--rebuild", bus_url, database_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[-2]), float(output[-1])


def rebuild_here(bus_url: str, database_url: str) -> None:
    """Rebuild and print '<seconds> <peak MiB>' (the child's side of ``rebuild_in_child``)."""
    elapsed = timed_rebuild(database_url, bus_url)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{elapsed:.3f} {peak:.1f}")


def main(argv: list[str]) -> int:
    """Publish and rebuild each size; print the table."""
    if argv[:1] == ["--rebuild"]:
        rebuild_here(argv[1], argv[2])
        return 0
    schools = int(os.environ.get("BENCH_SCALE_SCHOOLS", "10000"))
    sizes = [int(y) for y in os.environ.get("BENCH_SCALE_YEARS", "1,3,10").split(",")]
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    tmp = Path(tempfile.mkdtemp(prefix="thidua-bench-scale-"))
    rows: list[list[Any]] = []
    for years in sizes:
        run = uuid.uuid4().hex[:8]
        bus_url = (
            f"kafka://{servers}?namespace=scale{run}." if servers else f"file:{tmp / f'log{run}.sqlite'}"
        )
        events = publish(bus_url, years, schools)
        seconds, peak = rebuild_in_child(bus_url, f"sqlite:///{tmp / f'scoring{run}.sqlite'}")
        size = (tmp / f"scoring{run}.sqlite").stat().st_size / 2**20
        rows.append(
            [
                f"{years} year(s)",
                f"{events:,}",
                f"{seconds:.1f} s",
                f"{events / seconds:,.0f}/s",
                f"{peak:.0f} MiB",
                f"{size:.0f} MiB",
            ]
        )
    where = f"Kafka at {servers}" if servers else "the embedded log"
    kept = f"{schools:,} schools in {schools // 10:,} clusters a year, {where}"
    print(f"\nScoring rebuild by years kept ({kept})\n")
    print(table(rows, ["years", "events", "rebuild", "rate", "peak memory", "database"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

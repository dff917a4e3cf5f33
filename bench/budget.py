"""What one filing costs the machine: CPU time by process while inspections are filed at a fixed rate.

    [BENCH_POSTGRES_URL=server] [KAFKA_BOOTSTRAP_SERVERS=...] [BENCH_LATENCY_SECONDS=20] [BENCH_REPEAT=3] \
        python -m bench.budget

Runs the suite (each API as gunicorn's two processes, each service's worker) on SQLite and the embedded
log, on PostgreSQL when a server is given, and on PostgreSQL and Kafka (a deployment's shape) when a
broker is given too; files a cluster head's inspections at ``RATE`` a second, and reads from /proc the CPU
time each process of the suite used meanwhile (a gunicorn master with its workers; the database server's
processes as one row, the broker's JVM as another). Each row: milliseconds of CPU a filing, median and
spread over the runs. Their sum beside the cores a second holds says which rate the machine can carry.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path

from bench.latency import INSPECTION
from bench.load import hey
from bench.settings import load
from bench.stats import Figure, table
from bench.suite import SERVICES, Running, running_suite

RATE = 50
"""Inspections asked a second: a rate every store here carries, so what is counted is each filing's cost."""
TICKS = os.sysconf("SC_CLK_TCK")
HEADER = ["store", "process", "CPU a filing, median (spread)", "at most"]


def _stat(pid: int) -> tuple[int, str, float]:
    """Return a process's parent, name and CPU seconds (user and system) from /proc."""
    text = Path(f"/proc/{pid}/stat").read_text()
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICKS


def _processes() -> dict[int, tuple[int, str, float]]:
    """Return every readable process's parent, name and CPU seconds."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                found[int(entry)] = _stat(int(entry))
            except (OSError, ValueError):
                continue
    return found


def cpu_by_part(roots: dict[str, int]) -> dict[str, float]:
    """Return the CPU seconds used so far by each named process with its children, and by PostgreSQL."""
    every = _processes()
    used = {}
    for part, root in roots.items():
        family = {root}
        grew = True
        while grew:
            children = {pid for pid, (parent, _, _) in every.items() if parent in family} - family
            family |= children
            grew = bool(children)
        used[part] = sum(every[pid][2] for pid in family if pid in every)
    used["PostgreSQL server"] = sum(cpu for _, name, cpu in every.values() if name.startswith("postgres"))
    used["Kafka broker"] = sum(cpu for _, name, cpu in every.values() if name == "java")
    return used


def parts(suite: Running) -> dict[str, int]:
    """Return the suite's processes measured, by the name a row shows."""
    named = {f"{s} API": f"{s}-api" for s in SERVICES} | {f"{s} worker": f"{s}-worker" for s in SERVICES}
    return {part: suite.processes.pid_of(name) for part, name in named.items()}


def measure(
    repeat: int, seconds: int, postgres_server: str | None, bus_url: str | None = None
) -> list[Figure]:
    """File inspections at ``RATE`` ``repeat`` times; return each part's CPU milliseconds a filing."""
    with running_suite(bus_url=bus_url, postgres_server=postgres_server) as suite:
        url, roots = f"{suite.urls['submissions']}/filings", parts(suite)
        runs: list[dict[str, float]] = []
        for _run in range(repeat):
            before = cpu_by_part(roots)
            filed = hey(url, RATE, seconds, suite.cluster_head, INSPECTION)
            after = cpu_by_part(roots)
            count = max(1, len(filed.seconds) - filed.failures)
            runs.append({part: (after[part] - before[part]) * 1000 / count for part in after})
    figures = [
        Figure(part, tuple(run[part] for run in runs), "ms")
        for part in runs[0]
        if any(run[part] for run in runs)
    ]
    figures.sort(key=lambda figure: -figure.median)
    return [*figures, Figure("all of them", tuple(sum(run.values()) for run in runs), "ms")]


def rows(store: str, figures: Iterable[Figure]) -> list[list[str]]:
    """Return the table rows of one store's figures, with the filings a second two cores would carry."""
    out = []
    for figure in figures:
        carried = f"{2000 / figure.median:,.0f}/s on 2 cores" if figure.name == "all of them" else ""
        out.append([store, figure.name, figure.text(), carried])
    return out


def stores(postgres: str | None, kafka: str | None) -> list[tuple[str, str | None, str | None]]:
    """Return each store measured: its name, PostgreSQL server (None: SQLite) and bus (None: embedded)."""
    found: list[tuple[str, str | None, str | None]] = [("SQLite", None, None)]
    if postgres:
        found.append(("PostgreSQL", postgres, None))
    if postgres and kafka:
        found.append(
            ("PostgreSQL, Kafka", postgres, f"kafka://{kafka}?namespace=budget{uuid.uuid4().hex[:8]}.")
        )
    return found


def main() -> int:
    """Measure and print the CPU a filing costs, by process, on SQLite and (given a server) PostgreSQL."""
    settings = load()
    repeat, seconds = settings.runs(3), settings.latency_seconds
    found = [
        row
        for store, server, bus in stores(settings.postgres, settings.kafka)
        for row in rows(store, measure(repeat, seconds, server, bus))
    ]
    print(f"\nCPU a filing costs, inspections at {RATE}/s, {seconds} s a run, {repeat} runs\n")
    print(table(found, HEADER))
    return 0


if __name__ == "__main__":
    sys.exit(main())

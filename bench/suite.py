"""The suite as separate processes for the benches that measure what users feel (freshness, latency)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from shared.auth import mint_token
from shared.db import fresh_database
from tests.e2e.processes import ROOT, Suite

SECRET = "bench-secret-" + "x" * 40
SERVICES = ("registry", "submissions", "scoring", "notifications")
WORKERS, THREADS = 2, 4
"""gunicorn's settings in every bench, as services/gunicorn_conf.py defaults them (README: Performance)."""


@dataclass(frozen=True)
class Running:
    """The URLs of a running suite, its services' databases and a token of each role the benches use."""

    urls: dict[str, str]
    databases: dict[str, str]
    admin: str
    cluster_head: str
    bus_url: str
    processes: Suite

    def stop_workers(self) -> None:
        """Stop every service's worker (consumers, relays, watchers): the APIs alone on the machine."""
        for service in SERVICES:
            self.processes.stop(f"{service}-worker")

    def database(self, service: str) -> str:
        """Return the URL of a service's database."""
        return self.databases[service]


@contextmanager
def databases(home: Path, postgres_server: str | None) -> Iterator[dict[str, str]]:
    """Yield a database URL for each service: a fresh PostgreSQL database each, else SQLite files in home."""
    if postgres_server is None:
        yield {service: f"sqlite:///{home / (service + '.sqlite')}" for service in SERVICES}
        return
    with ExitStack() as stack:
        yield {service: stack.enter_context(fresh_database(postgres_server, "bench")) for service in SERVICES}


@contextmanager
def running_suite(
    bus_url: str | None = None,
    demo: bool = True,
    postgres_server: str | None = None,
    workers: int = WORKERS,
) -> Iterator[Running]:
    """Run the four services (API and worker each) on SQLite, or PostgreSQL when a server is given, and
    the given bus (else the embedded log); each API as ``workers`` gunicorn processes."""
    home = Path(tempfile.mkdtemp(prefix="thidua-bench-suite-"))
    with databases(home, postgres_server) as urls:
        yield from _running(home, urls, bus_url, demo, workers)


def _running(
    home: Path, databases: dict[str, str], bus_url: str | None, demo: bool, workers: int
) -> Iterator[Running]:
    """Start the suite on these databases, yield it running, stop it."""
    suite = Suite(
        {
            "THIDUA_BUS_URL": bus_url or f"file:{home / 'eventlog.sqlite'}",
            **{f"{service.upper()}_DATABASE_URL": url for service, url in databases.items()},
            "THIDUA_DATA_DIR": str(home),
            "THIDUA_JWT_SECRET": SECRET,
            "SUBMISSIONS_DOCUMENTS_DIR": str(home / "documents"),
            "GUNICORN_THREADS": str(THREADS),
            "GUNICORN_ACCESS_LOG": "",
            "THIDUA_LOG_LEVEL": "WARNING",
        },
        home,
    )
    try:
        for service in SERVICES:
            suite.migrate(service)
        suite.run_role("registry", "seed")
        if demo:
            subprocess.run([sys.executable, "-m", "services.demo"], env=suite.env, cwd=ROOT, check=True)
        urls = {service: suite.start_api(service, workers=workers) for service in SERVICES}
        suite.env.update({f"{s.upper()}_URL": url for s, url in urls.items()})
        for service in SERVICES:
            suite.start_worker(service)
        admin = mint_token(SECRET, "bench", "academy_admin")
        suite.wait_until(
            lambda: (
                requests.get(
                    f"{urls['submissions']}/status-board",
                    params={"year": 2023},
                    headers={"Authorization": f"Bearer {admin}"},
                    timeout=5,
                ).ok
            ),
            "submissions to learn the 2023 campaign",
            120,
        )
        head = mint_token(SECRET, "bench", "cluster_head", "cl_2023_trung_du_bac")
        yield Running(urls, databases, admin, head, suite.env["THIDUA_BUS_URL"], suite)
    finally:
        suite.stop_all()

"""The suite as separate processes for the benches that measure what users feel (freshness, latency)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from shared.auth import mint_token
from tests.e2e.processes import ROOT, Suite

SECRET = "bench-secret-" + "x" * 40
SERVICES = ("registry", "submissions", "scoring", "notifications")
WORKERS, THREADS = 2, 4
"""gunicorn's settings in every bench, as deploy/gunicorn.conf.py defaults them (README: Performance)."""


@dataclass(frozen=True)
class Running:
    """The URLs of a running suite, its data directory and a token of each role the benches use."""

    urls: dict[str, str]
    home: Path
    admin: str
    cluster_head: str

    def database(self, service: str) -> str:
        """Return the SQLite URL of a service's database."""
        return f"sqlite:///{self.home / (service + '.sqlite')}"


@contextmanager
def running_suite(bus_url: str | None = None, demo: bool = True) -> Iterator[Running]:
    """Run the four services (API and worker each) on SQLite and the given bus (else the embedded log)."""
    home = Path(tempfile.mkdtemp(prefix="thidua-bench-suite-"))
    suite = Suite(
        {
            "THIDUA_BUS_URL": bus_url or f"file:{home / 'eventlog.sqlite'}",
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
        urls = {service: suite.start_api(service, workers=WORKERS) for service in SERVICES}
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
        yield Running(urls, home, admin, head)
    finally:
        suite.stop_all()

"""/metrics under gunicorn with several worker processes: whichever worker answers, it gives the sum."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.e2e.processes import Suite
from tests.factories import TEST_SECRET

pytestmark = pytest.mark.e2e
REQUESTS = 60
HEALTHZ = re.compile(
    r'^thidua_http_requests_total\{endpoint="/healthz",method="GET",service="registry",status="200"\} (\S+)$',
    re.MULTILINE,
)


def test_every_scrape_counts_the_requests_of_every_worker(tmp_path: Path) -> None:
    suite = Suite(
        {
            "THIDUA_BUS_URL": f"file:{tmp_path / 'eventlog.sqlite'}",
            "THIDUA_DATA_DIR": str(tmp_path),
            "THIDUA_JWT_SECRET": TEST_SECRET,
        },
        tmp_path,
    )
    try:
        suite.migrate("registry")
        base = suite.start_api("registry", workers=3)
        before = _healthz_count(base)  # the start-up checks
        for _ in range(REQUESTS):
            with requests.Session() as fresh:  # a new connection each time, so the workers share them
                answer = fresh.get(f"{base}/healthz", timeout=5)
                assert answer.status_code == 200
        scrapes = [_healthz_count(base) for _ in range(8)]
        assert scrapes == [before + REQUESTS] * len(scrapes)
    finally:
        suite.stop_all()


def _healthz_count(base: str) -> float:
    """Return the /healthz count of one scrape (over a new connection, so any worker may answer)."""
    with requests.Session() as fresh:
        text = fresh.get(f"{base}/metrics", timeout=5).text
    found = HEALTHZ.search(text)
    assert found, text[:2000]
    return float(found.group(1))

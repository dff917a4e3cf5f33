"""A worker outlives a broker it cannot reach, says so on /readyz, and stops cleanly on SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from shared.db import create_engine
from tests.e2e.processes import Suite
from tests.factories import TEST_SECRET
from tests.ports import port_of, refusing

pytestmark = pytest.mark.e2e


def test_a_worker_waits_out_an_unreachable_broker_and_releases_its_lease_on_sigterm(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    no_broker = refusing()  # nothing listens there, and nothing can start to while the test holds it
    suite = Suite(
        {
            "THIDUA_BUS_URL": f"kafka://127.0.0.1:{port_of(no_broker)}",
            "REGISTRY_DATABASE_URL": database,
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "THIDUA_DATA_DIR": str(tmp_path),
        },
        tmp_path,
    )
    try:
        suite.migrate("registry")
        port = suite.start_worker("registry", health=True)
        health = f"http://127.0.0.1:{port}"
        suite.wait_until(lambda: _status(f"{health}/healthz") == 200, "the worker's health endpoint")
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:  # the relay keeps failing to reach the broker meanwhile
            assert _status(f"{health}/healthz") == 200
            assert suite.processes["registry-worker"].poll() is None, suite.logs()
            time.sleep(0.5)
        ready = requests.get(f"{health}/readyz", timeout=5).json()
        assert ready["details"]["loops"]["relay"]["state"] == "active"
        metrics = requests.get(f"{health}/metrics", timeout=5).text
        assert 'thidua_lease_held{lease="registry-relay"} 1.0' in metrics, "the alert on leases reads it"
        assert 'thidua_worker_ready{worker="registry-worker"} 1.0' in metrics
        suite.wait_until(
            lambda: "bus or database unavailable" in suite.logs(), "the relay to report the outage", 30
        )
        started = time.monotonic()
        assert suite.stop("registry-worker", timeout=30) == 0
        assert time.monotonic() - started < 12
    finally:
        suite.stop_all()
        no_broker.close()
    engine = create_engine(database)
    with engine.connect() as conn:
        expiry = conn.execute(sa.text("SELECT expires_at FROM leases WHERE name = 'registry-relay'")).scalar()
    engine.dispose()
    assert expiry == 0.0, "the lease was released, so a standby takes it at once"


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return 0

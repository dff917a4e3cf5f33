"""A worker past its stop grace releases its leases before it exits, so a standby takes over at once
(not when the lease expires, a minute later here)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from shared.db import create_engine

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_stuck_past_its_grace_releases_its_lease_then_exits(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'leases.sqlite'}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.shared.stuck_worker", database, "1.5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "holding the lease"
        engine = create_engine(database)
        with engine.connect() as conn:
            expiry = conn.execute(sa.text("SELECT expires_at FROM leases WHERE name = 'stuck-loop'")).scalar()
        assert expiry and expiry > time.time() + 30  # held for most of a minute
        stopped = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 1  # ended after its grace, not cleanly
        assert 1.5 <= time.monotonic() - stopped < 10
        with engine.connect() as conn:
            expiry = conn.execute(sa.text("SELECT expires_at FROM leases WHERE name = 'stuck-loop'")).scalar()
        assert expiry == 0.0  # released before the exit: a standby takes it at its next try
        output = worker.stdout.read()
        assert "released stuck-loop, ending now" in output
        assert "Exception ignored" not in output
        engine.dispose()
    finally:
        worker.kill()
        worker.wait()

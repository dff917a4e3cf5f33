"""What the hardware allows: single-row commits a second, the ceiling of any write that must be durable.

    [BENCH_POSTGRES_URL=server] [BENCH_REPEAT=...] python -m bench.limits

A write the suite acknowledges is one transaction; on this machine it cannot commit faster than the
database commits one row alone. SQLite runs with the settings the suite gives it (WAL, synchronous=NORMAL:
no fsync a commit, the WAL synced at checkpoints); PostgreSQL as the server is configured
(``synchronous_commit`` and ``fsync`` are reported beside the figure). Nothing of the suite runs here:
raw driver calls, one INSERT and one COMMIT a row.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.settings import load
from bench.stats import Figure, table
from shared.db import fresh_database

ROWS = 2000
"""Rows committed one by one in a run."""


def sqlite_commits(rows: int = ROWS) -> float:
    """Return single-row commits a second on SQLite in a new file, with the suite's settings."""
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "limits.sqlite", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        started = time.perf_counter()
        for n in range(rows):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO rows (id, data) VALUES (?, ?)", (n, "x" * 200))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return rows / elapsed


def postgres_commits(server: str, rows: int = ROWS) -> float:
    """Return single-row commits a second on a new PostgreSQL database of the server."""
    with fresh_database(server, "limits") as url:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute("CREATE TABLE rows (id integer PRIMARY KEY, data text NOT NULL)")
            raw.commit()
            started = time.perf_counter()
            for n in range(rows):
                cursor.execute("INSERT INTO rows (id, data) VALUES (%s, %s)", (n, "x" * 200))
                raw.commit()
            elapsed = time.perf_counter() - started
        engine.dispose()
    return rows / elapsed


def postgres_settings(server: str) -> str:
    """Return the server's durability settings, as the figure's note."""
    engine = sa.create_engine(server)
    with engine.connect() as conn:
        found = {
            name: conn.execute(sa.text(f"SHOW {name}")).scalar()
            for name in ("synchronous_commit", "fsync", "wal_sync_method")
        }
    engine.dispose()
    return ", ".join(f"{k}={v}" for k, v in found.items())


def measure(postgres: str | None, repeat: int) -> list[list[str]]:
    """Return the table rows: each database's single-row commit rate, median of ``repeat`` runs."""
    runs: list[tuple[str, Callable[[], float], str]] = [
        ("SQLite single-row commits", sqlite_commits, "WAL, synchronous=NORMAL (the suite's)")
    ]
    if postgres:
        runs.append(
            ("PostgreSQL single-row commits", lambda: postgres_commits(postgres), postgres_settings(postgres))
        )
    rows = []
    for name, run, note in runs:
        figure = Figure(name, tuple(run() for _ in range(repeat)), "commits/s")
        rows.append([name, figure.text(), f"{1e6 / figure.median:,.0f} µs a commit", note])
    return rows


HEADER = ["physical limit", "median (spread)", "", "settings"]


def main() -> int:
    """Print this machine's single-row commit rates."""
    settings = load()
    print(table(measure(settings.postgres, settings.runs(3)), HEADER))
    return 0


if __name__ == "__main__":
    sys.exit(main())

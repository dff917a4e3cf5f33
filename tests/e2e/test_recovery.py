"""Disaster recovery: a service's database lost, or restored from an older backup, and recovered from its
own topic by ``thidua recover`` in a process of its own, on the demonstration year.

The recovered database must hold the same events (ids, streams, versions, data, in each stream's order)
and the same state as the lost one; its relay publishes nothing again; its policy answers nothing twice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services import commands, demo
from shared.bus import Start, make_bus

pytestmark = pytest.mark.e2e
TOPICS = {s: f"thidua.{s}.events" for s in ("registry", "submissions", "scoring")}


def load_demo_year(home: Path, bus: str) -> None:
    """Load the demonstration year into a data directory, every consumer in step with what the others
    published, as live workers are."""
    with pytest.MonkeyPatch.context() as env:
        use(env, home, bus)
        for service in commands.SERVICES:
            commands.migrate(service)
        commands.seed()
        assert demo.load().startswith("demonstration year loaded")
        for _round in (1, 2):
            for service in TOPICS:
                commands.with_service(service, lambda built: list(_consumers(built)))
                commands.with_service(
                    service, lambda built: built.relay(TOPICS[built.settings.service]).drain()
                )


def use(env: pytest.MonkeyPatch, home: Path, bus: str) -> None:
    """Point the suite's commands at a data directory and a bus."""
    env.setenv("THIDUA_DATA_DIR", str(home))
    env.setenv("THIDUA_JWT_SECRET", "x" * 48)
    env.setenv("THIDUA_BUS_URL", bus)
    env.delenv("THIDUA_INTEGRATION_KEYS", raising=False)
    env.setenv("THIDUA_LOG_LEVEL", "WARNING")


def bus_of(kind: str, home: Path, request: pytest.FixtureRequest) -> str:
    """Return an embedded log in the data directory, or a Kafka namespace of its own."""
    if kind == "embedded":
        return f"file:{home / 'eventlog.sqlite'}"
    return f"kafka://{request.getfixturevalue('kafka_bootstrap')}?namespace=t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="module", params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
def loaded_year(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demonstration year loaded once a module and bus: the tests that only read its topics (each
    recovers its own copy of the databases) share it."""
    home = tmp_path_factory.mktemp("demo-year")
    bus = bus_of(request.param, home, request)
    load_demo_year(home, bus)
    return home, bus


@pytest.fixture
def demo_copy(loaded_year: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the loaded year's data directory (its embedded log too), the commands pointed at it."""
    home, bus = loaded_year
    copy = tmp_path / "data"
    shutil.copytree(home, copy)
    use(monkeypatch, copy, bus.replace(str(home), str(copy)))
    return copy


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
def demo_year(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demonstration year of this test's own, for a test that publishes onto its topics."""
    bus = bus_of(request.param, tmp_path, request)
    load_demo_year(tmp_path, bus)
    use(monkeypatch, tmp_path, bus)
    return tmp_path


def snapshot(service: str) -> dict[str, Any]:
    """Return what a service's database holds: its events in store order and every state table's rows."""

    def read(built: Any) -> dict[str, Any]:
        tables = built.metadata.tables
        with built.engine.connect() as conn:
            events = [
                (r.event_id, r.stream_id, r.stream_version, r.type, r.schema_version, r.data)
                for r in conn.execute(sa.select(tables["events"]).order_by(tables["events"].c.position))
            ]
            kept = built.state.tables if built.state else (tables["published"], tables["results"])
            state = {t.name: _by_key(t, conn.execute(sa.select(t)).mappings()) for t in kept}
            progress = conn.execute(sa.select(tables["relay_progress"].c.position)).scalar()
            maximum = conn.execute(sa.select(sa.func.max(tables["events"].c.position))).scalar()
        return {"events": events, "state": state, "progress": progress, "newest": maximum}

    return dict(commands.with_service(service, read))


def _by_key(table: sa.Table, rows: Any) -> dict[str, dict[str, Any]]:
    """Return a table's rows by their primary key."""
    key = [c.name for c in table.primary_key.columns]
    return {repr(tuple(row[k] for k in key)): dict(row) for row in rows}


def on_topic(service: str) -> list[str]:
    """Return the ids of the events on a service's topic, as a read_committed reader sees them."""
    bus = make_bus(str(commands.with_service(service, lambda built: built.settings.bus_url)))
    try:
        return [(r.header("ce_id") or b"").decode() for r in bus.read([TOPICS[service]], Start(), 10**9)]
    finally:
        bus.close()


def thidua(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from services.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def in_stream_order(events: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    streams: dict[str, list[tuple[Any, ...]]] = {}
    for event in events:
        streams.setdefault(event[1], []).append(event)
    return streams


@pytest.mark.parametrize("service", ["registry", "submissions", "scoring"])
def test_a_lost_database_comes_back_from_its_topic(demo_copy: Path, service: str) -> None:
    before, published = snapshot(service), on_topic(service)
    assert sorted(published) == sorted(e[0] for e in before["events"]), "every event once on its topic"
    (demo_copy / f"{service}.sqlite").unlink()
    commands.migrate(service)

    recovered = thidua("recover", service)
    assert recovered.returncode == 0, recovered.stderr
    assert f"{service}: imported from the topic: {len(before['events'])}" in recovered.stdout
    after = snapshot(service)
    was, now = in_stream_order(before["events"]), in_stream_order(after["events"])
    differ = sorted(k for k in was.keys() | now.keys() if was.get(k) != now.get(k))
    assert differ == [], [
        (k, [e[2:4] for e in was.get(k, [])], [e[2:4] for e in now.get(k, [])]) for k in differ[:3]
    ]
    for table, rows in before["state"].items():  # equal values (a score of 0 and of 0.0 are one score)
        differ = sorted(
            k
            for k in rows.keys() | after["state"][table].keys()
            if rows.get(k) != after["state"][table].get(k)
        )
        assert differ == [], (table, differ[:3])
    assert after["progress"] == after["newest"], "the relay's progress is past every recovered event"

    commands.with_service(service, lambda built: built.relay(TOPICS[service]).drain())
    for runner_of in commands.with_service(service, lambda built: list(_consumers(built))):
        assert runner_of == 0, "no consumer of the service records anything again"
    assert sorted(on_topic(service)) == sorted(published), "nothing published twice"
    assert len(snapshot(service)["events"]) == len(before["events"]), "no policy answered anything twice"

    again = thidua("recover", service)
    assert again.returncode != 0 and "reconcile" in again.stderr, "a database with events is not overwritten"


def _consumers(built: Any) -> Iterator[int]:
    """Run each consumer of the service until caught up; yield how many events each made it record."""
    bootstrap = commands._module(built.settings.service, "bootstrap")
    events = built.metadata.tables["events"]
    for runner in bootstrap.consumers(built).values():
        with built.engine.connect() as conn:
            before = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar()
        try:
            runner.run_until_caught_up(timeout=300)
        finally:
            runner.close()
        with built.engine.connect() as conn:
            yield int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0) - int(
                before or 0
            )


def test_a_database_restored_from_an_older_backup_is_reconciled_with_its_topic(demo_year: Path) -> None:
    backup = demo_year / "submissions.backup"
    shutil.copy(demo_year / "submissions.sqlite", backup)
    later = commands.build("submissions")  # the year goes on after the backup: 2024's deadlines pass
    try:
        from services.submissions.app.watcher import check_deadlines
        from services.submissions.bootstrap import registry_view_runner

        view = registry_view_runner(later)
        view.run_until_caught_up(timeout=300)
        view.close()
        later.clock = lambda: demo.at("2024-12-31 08:00")
        check_deadlines(later)
        later.relay(TOPICS["submissions"]).drain()
    finally:
        later.close()
    lost = snapshot("submissions")
    old = len(lost["events"])
    shutil.copy(backup, demo_year / "submissions.sqlite")  # the database is lost; the backup comes back
    behind = len(snapshot("submissions")["events"])
    assert behind < old, "the backup is older than what was lost"

    refused = thidua("recover", "submissions")
    assert refused.returncode != 0
    reconciled = thidua("recover", "submissions", "--reconcile")
    assert reconciled.returncode == 0, reconciled.stderr
    assert f"imported from the topic: {old - behind}" in reconciled.stdout, reconciled.stdout
    after = snapshot("submissions")
    assert in_stream_order(after["events"]) == in_stream_order(lost["events"])
    assert after["state"] == lost["state"], "equal values, row by row"
    assert after["progress"] == after["newest"]

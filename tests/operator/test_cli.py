"""The ``thidua`` command line against the embedded log and real Kafka: tail, lag, DLQ, rebuild, token,
seed and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from services.cli import main
from services.notifications.bootstrap import audit_runner, bootstrap, migrate, notices_runner
from services.registry import tables as registry_tables
from services.registry.bootstrap import bootstrap as registry_bootstrap
from services.scoring.bootstrap import migrate as scoring_migrate
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.auth import decode_token
from shared.bus import OutgoingRecord, Start, make_bus
from tests.factories import (
    TEST_SECRET,
    make_envelope,
    notifications_settings,
    service_settings,
    state_snapshot,
)


@pytest.fixture
def env(bus_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    values = {"THIDUA_BUS_URL": bus_url, "THIDUA_DATA_DIR": str(tmp_path), "THIDUA_JWT_SECRET": TEST_SECRET}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    yield values


def thidua(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture
def seeded(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Run ``thidua seed`` and relay the registry's events to the bus."""
    from services.registry.bootstrap import migrate as registry_migrate

    settings = service_settings("registry", tmp_path, bus_url=env["THIDUA_BUS_URL"])
    registry_migrate(settings)
    result = thidua("seed")
    assert result.exit_code == 0, result.output
    assert "campaigns=1, schools=68, clusters=8, mergers=23" in result.output
    registry = registry_bootstrap(settings)
    registry.relay(REGISTRY_TOPIC).drain()
    registry.close()
    return env


def json_lines(result: Result) -> list[dict]:  # type: ignore[type-arg]
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_events_tail_filters_by_type_stream_and_school_from_a_chosen_start(seeded: dict[str, str]) -> None:
    merged = json_lines(
        thidua(
            "events",
            "tail",
            "--topic",
            REGISTRY_TOPIC,
            "--type",
            "SchoolsMerged",
            "--limit",
            "1000",
            "--format",
            "json",
        )
    )
    assert len(merged) == 23
    hoa_binh = json_lines(
        thidua("events", "tail", "--school", "sch_hoabinh", "--limit", "1000", "--format", "json")
    )
    assert sorted(e["type"] for e in hoa_binh) == ["SchoolJoinedCluster", "SchoolRegistered"]
    stream = json_lines(thidua("events", "tail", "--stream", "campaign-2023", "--format", "json"))
    assert [e["type"] for e in stream] == ["CampaignOpened"]
    assert (
        json_lines(
            thidua("events", "tail", "--topic", REGISTRY_TOPIC, "--since", "2999-01-01", "--format", "json")
        )
        == []
    )
    later = json_lines(
        thidua("events", "tail", "--topic", REGISTRY_TOPIC, "--offset", "1000000", "--format", "json")
    )
    assert later == []
    table = thidua("events", "tail", "--topic", REGISTRY_TOPIC, "--type", "CampaignOpened")
    assert table.output.splitlines()[0].split()[:3] == ["TIME", "TOPIC", "PARTITION"]


def test_consumers_lag_and_rebuild_with_progress(seeded: dict[str, str], tmp_path: Path) -> None:
    settings = notifications_settings(tmp_path, bus_url=seeded["THIDUA_BUS_URL"])
    migrate(settings)
    service = bootstrap(settings)
    runner = audit_runner(service)
    runner.run_until_caught_up()
    runner.close()
    rows = json_lines(thidua("consumers", "lag", "--group", "notifications-audit", "--format", "json"))
    assert rows and all(r["lag"] == 0 and r["topic"] == REGISTRY_TOPIC for r in rows)
    # 1 campaign, 68+23 schools, 8 clusters, 68 joins, 8 leaders, 23 merges; the end offsets also count
    # the relay's transaction markers, so the events are counted as a reader sees them
    assert len(make_bus(seeded["THIDUA_BUS_URL"]).read([REGISTRY_TOPIC], Start(), 10_000)) == 199
    rebuilt = thidua("rebuild", "notifications-audit")
    assert rebuilt.exit_code == 0 and "notifications-audit rebuilt" in rebuilt.output, rebuilt.output
    policy = CliRunner().invoke(main, ["rebuild", "registry-nominations"])  # the registry's own consumer
    assert policy.exit_code != 0 and "is a policy" in policy.output
    unknown = CliRunner().invoke(main, ["rebuild", "notifications-nothing"])
    assert unknown.exit_code != 0 and "notifications-audit, notifications-notices" in unknown.output
    with service.engine.connect() as conn:
        import sqlalchemy as sa

        from services.notifications.tables import audit_entries

        assert conn.execute(sa.select(sa.func.count()).select_from(audit_entries)).scalar() == 199
    service.close()


def test_dlq_list_show_redrive_and_discard(seeded: dict[str, str], tmp_path: Path) -> None:
    bus = make_bus(seeded["THIDUA_BUS_URL"])
    bus.ensure_topics([SUBMISSIONS_TOPIC])
    poison = [
        make_envelope(f"missed-{n}", 1, type="DeadlineMissed", schema_version=1, data={"year": "x"})
        for n in (1, 2)
    ]
    bus.publish([OutgoingRecord(SUBMISSIONS_TOPIC, *e.to_record()) for e in poison])
    settings = notifications_settings(tmp_path, bus_url=seeded["THIDUA_BUS_URL"])
    migrate(settings)
    service = bootstrap(settings)
    runner = notices_runner(service)
    runner.run_until_caught_up()
    runner.close()
    service.close()
    letters = json_lines(thidua("dlq", "list", "--topic", SUBMISSIONS_TOPIC, "--format", "json"))
    assert len(letters) == 2 and all("InvalidEventData" in letter["error"] for letter in letters)
    first, second = letters
    address = [
        "--topic",
        SUBMISSIONS_TOPIC,
        "--partition",
        str(first["partition"]),
        "--offset",
        str(first["offset"]),
    ]
    shown = json.loads(thidua("dlq", "show", *address).output)
    assert shown["headers"]["dlq_consumer"] == "notifications-notices"
    redriven = thidua("dlq", "redrive", *address)
    assert redriven.exit_code == 0 and f"re-driven to {SUBMISSIONS_TOPIC}" in redriven.output
    again = CliRunner().invoke(main, ["dlq", "redrive", *address])
    assert again.exit_code != 0 and "already" in again.output
    back = json_lines(
        thidua(
            "events", "tail", "--topic", SUBMISSIONS_TOPIC, "--stream", first["stream_id"], "--format", "json"
        )
    )
    assert [e["headers"].get("thidua_redriven", "") for e in back] == [
        "",
        f"{SUBMISSIONS_TOPIC}.dlq:{first['partition']}:{first['offset']}",
    ]
    discarded = thidua(
        "dlq",
        "discard",
        "--topic",
        SUBMISSIONS_TOPIC,
        "--partition",
        str(second["partition"]),
        "--offset",
        str(second["offset"]),
    )
    assert discarded.exit_code == 0
    assert json_lines(thidua("dlq", "list", "--topic", SUBMISSIONS_TOPIC, "--format", "json")) == []
    assert (
        len(json_lines(thidua("dlq", "list", "--topic", SUBMISSIONS_TOPIC, "--all", "--format", "json"))) == 2
    )
    missing = CliRunner().invoke(
        main, ["dlq", "show", "--topic", SUBMISSIONS_TOPIC, "--partition", "0", "--offset", "999"]
    )
    assert missing.exit_code != 0 and "no record" in missing.output


def test_token_mint_seed_twice_and_export(seeded: dict[str, str], tmp_path: Path) -> None:
    minted = thidua("token", "mint", "--role", "cluster_head", "--tenant", "cl_2023_trung_du_bac")
    assert decode_token(TEST_SECRET, minted.output.strip()).tenant == "cl_2023_trung_du_bac"
    assert CliRunner().invoke(main, ["token", "mint", "--role", "cluster_head"]).exit_code != 0
    assert "mergers=0" in thidua("seed").output
    scoring_migrate(service_settings("scoring", tmp_path, bus_url=seeded["THIDUA_BUS_URL"]))
    assert thidua("rebuild", "scoring").exit_code == 0
    out = tmp_path / "bang-diem.xlsx"
    exported = thidua(
        "export", "score-table", "--year", "2023", "--cluster", "cl_2023_trung_du_bac", "--out", str(out)
    )
    assert exported.exit_code == 0 and "wrote 7 rows" in exported.output
    assert next(load_workbook(out).worksheets[0].iter_rows(values_only=True))[0] == "Hạng"
    unknown = CliRunner().invoke(
        main, ["export", "score-table", "--year", "2031", "--cluster", "x", "--out", str(out)]
    )
    assert unknown.exit_code != 0 and "no score table" in unknown.output


def test_state_rebuild_replays_the_registrys_own_events_into_its_state_tables(
    seeded: dict[str, str], tmp_path: Path
) -> None:
    registry = registry_bootstrap(service_settings("registry", tmp_path, bus_url=seeded["THIDUA_BUS_URL"]))
    before = state_snapshot(registry)
    with registry.engine.begin() as conn:
        conn.execute(sa.delete(registry_tables.cluster_members))  # state lost or damaged by hand
    result = thidua("state", "rebuild", "registry")
    assert result.exit_code == 0, result.output
    assert "registry: state rebuilt from" in result.output
    assert state_snapshot(registry) == before
    registry.close()
    refused = CliRunner().invoke(main, ["state", "rebuild", "scoring"])
    assert refused.exit_code == 2 and "scoring" in refused.output


def test_a_newcomer_gets_messages_not_tracebacks_and_the_key_make_run_wrote_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THIDUA_JWT_SECRET", raising=False)
    monkeypatch.setenv("THIDUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THIDUA_BUS_URL", f"file:{tmp_path / 'eventlog.sqlite'}")
    missing = CliRunner().invoke(main, ["seed"])
    assert missing.exit_code == 1 and missing.exception is not None and "Traceback" not in missing.output
    assert "no token signing key" in missing.output and "jwt-secret" in missing.output
    (tmp_path / "jwt-secret").write_text(TEST_SECRET + "\n")  # what make run writes
    token = CliRunner().invoke(main, ["token", "mint", "--role", "operator"])
    assert token.exit_code == 0 and decode_token(TEST_SECRET, token.output.strip()).role == "operator"
    unmigrated = CliRunner().invoke(
        main, ["export", "score-table", "--year", "2023", "--cluster", "c", "--out", str(tmp_path / "x.xlsx")]
    )
    assert unmigrated.exit_code == 1 and "make migrate" in unmigrated.output
    seeded = CliRunner().invoke(main, ["seed"])  # migrates the registry first
    assert seeded.exit_code == 0 and "schools=68" in seeded.output

"""``thidua personal rotate``: every person's key rewrapped under the new master key, after which the
previous key can go; ``thidua personal retention`` erases once what the rule no longer keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from services import commands
from services.cli import main
from services.submissions.contracts import CATALOGUE
from shared.personal import plan_of
from tests.factories import TEST_SECRET

OLD, NEW = "the master key before the rotation (32+)", "the master key after the rotation (32+ ch)"
OFFICER = {
    "school_id": "sch_x",
    "name": "Lê Văn Tâm",
    "position": "Phó phòng",
    "email": "tam@x.vn",
    "phone": "0912 345 678",
}


def sealed_officer() -> str:
    """Seal one officer with the configured master key; return their sealed e-mail."""
    service = commands.build("submissions")
    try:
        plan = plan_of(CATALOGUE["OfficersListed"].schema)
        assert plan is not None and service.keyring is not None
        with service.transaction() as conn:
            data = service.keyring.seal_event(
                conn, plan, {"year": 2023, "payload": {"officers": [OFFICER]}}, datetime.now(UTC)
            )
        return str(data["payload"]["officers"][0]["email"])
    finally:
        service.close()


def opened(token: str) -> str:
    service = commands.build("submissions")
    try:
        assert service.keyring is not None
        with service.engine.connect() as conn:
            return service.keyring.open_tokens(conn, [token])[token]
    finally:
        service.close()


def test_rotation_rewraps_every_key_so_the_previous_master_key_can_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "THIDUA_DATA_DIR": str(tmp_path),
        "THIDUA_JWT_SECRET": TEST_SECRET,
        "THIDUA_BUS_URL": f"file:{tmp_path / 'eventlog.sqlite'}",
        "THIDUA_PERSONAL_KEY": OLD,
    }.items():
        monkeypatch.setenv(key, value)
    commands.migrate("submissions")
    token = sealed_officer()
    monkeypatch.setenv("THIDUA_PERSONAL_KEY", NEW)
    monkeypatch.setenv("THIDUA_PERSONAL_KEY_PREVIOUS", OLD)
    rotated = CliRunner().invoke(main, ["personal", "rotate"], catch_exceptions=False)
    assert rotated.exit_code == 0 and "1 keys rewrapped" in rotated.output, rotated.output
    assert "0 keys rewrapped" in CliRunner().invoke(main, ["personal", "rotate"]).output
    monkeypatch.delenv("THIDUA_PERSONAL_KEY_PREVIOUS")
    assert opened(token) == OFFICER["email"]
    kept = CliRunner().invoke(main, ["personal", "retention"], catch_exceptions=False)
    assert "0 people erased" in kept.output, "no campaign here says to erase them"

"""Files under the data directory are the owner's only: databases (one holds password hashes), keys
and mail are created 0600 in 0700 folders, by the services' own commands and by the mail catcher."""

from __future__ import annotations

import os
import smtplib
import stat
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from tests.factories import TEST_SECRET
from tests.ports import quiet_port

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_portal_database_and_its_folder_are_created_for_the_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = {**os.environ, "THIDUA_DATA_DIR": str(data), "THIDUA_JWT_SECRET": TEST_SECRET}
    env.pop("PORTAL_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "services", "portal", "migrate"], env=env, check=True, timeout=120)
    subprocess.run(
        [sys.executable, "-m", "services", "portal", "first-account"], env=env, check=True, timeout=60
    )
    assert mode(data) == 0o700
    created = [p for p in data.rglob("*") if p.is_file()]
    assert {p.name for p in created} >= {"portal.sqlite", "portal-admin.txt"}
    assert {p.name: mode(p) for p in created} == {p.name: 0o600 for p in created}


def test_an_existing_database_file_is_tightened(tmp_path: Path) -> None:
    from shared.db import create_engine

    loose = tmp_path / "old.sqlite"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    create_engine(f"sqlite:///{loose}").dispose()
    assert mode(loose) == 0o600


def test_the_mail_catcher_of_make_run_keeps_mail_for_the_owner_only(tmp_path: Path) -> None:
    line = next(p for p in (ROOT / "Procfile").read_text().splitlines() if p.startswith("mail:"))
    port = quiet_port()  # the catcher binds it itself
    command = line.removeprefix("mail:").replace("127.0.0.1:1025", f"127.0.0.1:{port}")
    command = command.replace("var/mail", str(tmp_path / "mail")).replace("python ", f"{sys.executable} ")
    catcher = subprocess.Popen(["/bin/sh", "-c", command], cwd=ROOT)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@hcma.vn", "b@hcma.vn", "Thư thử"
        message.set_content("Nội dung có số điện thoại 0216 3850 000")
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    smtp.send_message(message)
                break
            except OSError:
                assert time.monotonic() < deadline, "the mail catcher did not start"
                time.sleep(0.2)
        kept = [p for p in (tmp_path / "mail").rglob("*") if p.is_file()]
        assert kept and all(mode(p) == 0o600 for p in kept)
        assert all(mode(p) == 0o700 for p in (tmp_path / "mail").rglob("*") if p.is_dir())
    finally:
        catcher.terminate()
        catcher.wait(timeout=30)

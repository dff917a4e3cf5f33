"""A private PostgreSQL server a test may kill and restart, apart from the one every other test uses.

Debian's binaries (the package ``deploy/postgres.sh`` installs) run as the ``postgres`` user when the
test runs as root (PostgreSQL refuses root), on a Unix socket in a folder of its own, no TCP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.ports import quiet_port


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class PrivateServer:
    """One PostgreSQL cluster in a temporary folder: start, kill (immediate stop), start again."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL's binaries are not installed (deploy/postgres.sh start)")
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="thidua-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        for folder in (self.data, self.socket):
            folder.mkdir(mode=0o700)
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        self.port = quiet_port()  # the server binds it itself
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "thidua", "--no-sync")

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of its ``postgres`` database."""
        return f"postgresql+psycopg://thidua@/postgres?host={self.socket}&port={self.port}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-k {self.socket} -p {self.port} -c listen_addresses='' -c fsync=off"
        log = self.root / "server.log"
        if os.geteuid() == 0 and not log.exists():
            log.touch()
            shutil.chown(log, "postgres", "postgres")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")

    def kill(self) -> None:
        """Stop the server at once, as a crash would: every connection breaks, nothing is flushed."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        """Stop the server if it runs, and remove its folder."""
        subprocess.run(self._as_owner("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"), check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *command: str) -> None:
        subprocess.run(self._as_owner(*command), check=True, timeout=120, capture_output=True)

    def _as_owner(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

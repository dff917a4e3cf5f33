"""Run the suite's services as separate processes, as in production, for end-to-end tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from services.portal import accounts
from shared.auth import mint_token
from shared.db import create_engine
from tests.factories import TEST_SECRET
from tests.ports import listening, port_of

ROOT = Path(__file__).resolve().parents[2]


MAILBOX = ("-c", "aiosmtpd.handlers.Mailbox")


@contextmanager
def mail_catcher(port: int, maildir: Path) -> Iterator[None]:
    """Run a local SMTP server (aiosmtpd) that keeps every message in a Maildir, as make run's does."""
    catcher = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *MAILBOX, str(maildir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        catcher.terminate()
        catcher.wait(timeout=30)


class Suite:
    """Processes of the suite sharing one environment; each is logged to its own file."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.sockets: dict[str, socket.socket] = {}
        """The listening sockets handed to each process, kept for a restart (no port is ever let go)."""
        self.commands: dict[str, tuple[list[str], dict[str, str]]] = {}

    def migrate(self, service: str) -> None:
        """Run a service's migrations to completion."""
        subprocess.run(
            [sys.executable, "-m", "services", service, "migrate"],
            env=self.env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )

    def run_role(self, service: str, role: str) -> None:
        """Run a one-off role of a service (migrate, seed) to completion."""
        subprocess.run(
            [sys.executable, "-m", "services", service, role], env=self.env, cwd=ROOT, check=True, timeout=300
        )

    def start_api(self, service: str, name: str = "", workers: int = 1) -> str:
        """Start a service's gunicorn (as ``name``, or SERVICE-api); return its URL once it answers."""
        name = name or f"{service}-api"
        bind = self._listen(name)
        self._start(name, [service, "api"], {"GUNICORN_BIND": bind, "WEB_CONCURRENCY": str(workers)})
        base = f"http://127.0.0.1:{self.ports[name]}"
        self.wait_until(lambda: _answers(f"{base}/healthz"), f"{name} to answer")
        return base

    def start_worker(
        self, service: str, name: str = "", env: dict[str, str] | None = None, health: bool = False
    ) -> int:
        """Start a service's worker process (as ``name``, by default SERVICE-worker); with ``health``, its
        health endpoint listens on a socket of the suite's, whose port is returned (0 without)."""
        name = name or f"{service}-worker"
        extra = {"WORKER_METRICS_PORT": self._listen(name)} if health else {}
        self._start(name, [service, "worker"], {**(env or {}), **extra})
        return self.ports.get(name, 0)

    def _listen(self, name: str) -> str:
        """Bind a listening socket for a process (once: a restart gets the same) and return its fd:// bind."""
        if name not in self.sockets:
            self.sockets[name] = listening()
            self.ports[name] = port_of(self.sockets[name])
        return f"fd://{self.sockets[name].fileno()}"

    def kill(self, name: str) -> None:
        """Kill a process at once (SIGKILL): no clean shutdown."""
        process = self.processes.pop(name)
        process.kill()
        process.wait(timeout=30)

    def restart(self, name: str) -> None:
        """Start a killed process again with the same command, environment and port."""
        args, env = self.commands[name]
        self._start(name, args, env)

    def pid_of(self, name: str) -> int:
        """Return the process id of a running process."""
        return self.processes[name].pid

    def stop(self, name: str, timeout: float = 30) -> int:
        """Stop one process with SIGTERM and return its exit status."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def stop_all(self) -> None:
        """Stop every process with SIGTERM, then SIGKILL what is left."""
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        for sock in self.sockets.values():
            sock.close()
        self.sockets.clear()

    def logs(self) -> str:
        """Return the tail of every process log, for a failure message."""
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:])
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def wait_until(self, condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
        """Poll until a condition holds; raise with the process logs if it never does."""
        deadline = time.monotonic() + timeout
        while not condition():
            dead = [name for name, p in self.processes.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise AssertionError(
                    f"waiting for {what}: {'exited: ' + str(dead) if dead else 'timed out'}\n{self.logs()}"
                )
            time.sleep(0.2)

    def wait_for_year(self, submissions: str, year: int, timeout: float = 90.0) -> None:
        """Wait until submissions has learned a year's campaign from the registry (its board answers)."""
        headers = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'suite', 'academy_admin')}"}

        def answers() -> bool:
            board = requests.get(
                f"{submissions}/status-board", params={"year": year}, headers=headers, timeout=5
            )
            return board.ok

        self.wait_until(answers, f"submissions to learn the {year} campaign", timeout)

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.commands[name] = (args, env)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services", *args],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log,
            stderr=log,
            pass_fds=[self.sockets[name].fileno()] if name in self.sockets else [],
        )


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_for_url(url: str, timeout: float = 30.0) -> None:
    """Wait until a URL answers 200; raise TimeoutError if it never does."""
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout}s")
        time.sleep(0.1)


def portal_account(database_url: str, email: str, name: str, role: str, tenant: str, password: str) -> None:
    """Create a portal account, invite it and accept the invitation with a password, in its database."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            now = datetime.now(UTC)
            account = accounts.create_account(conn, email, name, role, tenant, "t", now)
            token = accounts.invite(conn, account.account_id, timedelta(hours=1), "t", now)
            accounts.accept_invitation(conn, token, password, password, now)
    finally:
        engine.dispose()


def csrf_token(page: str) -> str:
    """Return the CSRF token of a portal page's form."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    token = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    assert token, page
    return token.group(1)


def signed_in(portal: str, email: str, password: str) -> requests.Session:
    """Return a browser session signed in to the portal through its form (an account without TOTP)."""
    browser = requests.Session()
    form = browser.get(f"{portal}/dang-nhap", timeout=10).text
    answer = browser.post(
        f"{portal}/dang-nhap",
        data={"csrf_token": csrf_token(form), "email": email, "password": password},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return browser

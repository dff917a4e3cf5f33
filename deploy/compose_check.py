"""The compose check: docker-compose.yml up on a real engine, crashed, restarted, with nothing lost.

deploy/compose-check.sh runs it once the engine answers and the images are built. Each step prints its
time; the first broken step ends the check with its reason, and the stack is taken down (volumes too)
whatever happened, unless THIDUA_CHECK_KEEP=1. It runs as its own compose project on ports 18001-18006,
so a suite already running on 8001-8006 is left alone.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import requests

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "thidua-check"
PORTS = {
    "registry": 18001,
    "submissions": 18002,
    "scoring": 18003,
    "notifications": 18004,
    "portal": 18005,
    "console": 18006,
    "prometheus": 19090,
    "zipkin": 19411,
}
ENV = {
    **os.environ,
    "COMPOSE_PROJECT_NAME": PROJECT,
    "THIDUA_BIND_ADDRESS": "127.0.0.1",
    **{f"{name.upper()}_PORT": str(port) for name, port in PORTS.items()},
    "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{PORTS['portal']}",
    "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "1"),  # two cores: one process per replica
}
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")
HEALTH_TIMEOUT = 420.0
CHECK_START = time.monotonic()


class Broken(RuntimeError):
    """A step of the check failed; the message says what was expected and what was found."""


def url(service: str, path: str) -> str:
    """Return the published address of a service's path (the gateway's, Prometheus', Zipkin's)."""
    return f"http://127.0.0.1:{PORTS[service]}{path}"


def run(args: list[str], timeout: float = 600, check: bool = True) -> str:
    """Run a command in the repository, returning its output; a failure is a broken step."""
    done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise Broken(f"{' '.join(args[:4])} … exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def compose(*args: str, timeout: float = 600, check: bool = True) -> str:
    """Run docker-compose on the check's project."""
    return run(["docker-compose", "-p", PROJECT, *args], timeout, check)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Print a step with its time, and its failure."""
    began = time.monotonic()
    print(f"compose-check: {title} …", flush=True)
    try:
        yield
    except Exception:
        print(f"compose-check: {title}: FAILED after {time.monotonic() - began:.1f} s", flush=True)
        raise
    print(f"compose-check: {title}: ok in {time.monotonic() - began:.1f} s", flush=True)


def wait_for(what: str, probe: Callable[[], Any], timeout: float, every: float = 1.0) -> Any:
    """Return the first true answer of probe within the timeout, or fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (requests.RequestException, Broken, ValueError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(every)
    raise Broken(f"{what}: not within {timeout:.0f} s (last: {last!r})")


def containers() -> list[dict[str, Any]]:
    """Return docker inspect of every container of the project."""
    ids = compose("ps", "-a", "-q").split()
    return json.loads(run([DOCKER, "inspect", *ids])) if ids else []


def name(container: dict[str, Any]) -> str:
    """Return a container's compose name (service_N)."""
    labels = container["Config"]["Labels"]
    return f"{labels['com.docker.compose.service']}_{labels['com.docker.compose.container-number']}"


def all_healthy() -> bool:
    """Say whether every long-running container is healthy and every one-off ended well."""
    found = containers()
    waiting = []
    for c in found:
        state = c["State"]
        if c["HostConfig"]["RestartPolicy"]["Name"] == "no":
            if state["Status"] == "exited" and state["ExitCode"] != 0:
                logs = run([DOCKER, "logs", "--tail", "20", c["Id"]], check=False)
                raise Broken(f"{name(c)} exited {state['ExitCode']}: {logs}")
            if state["Status"] != "exited":
                waiting.append(name(c))
        elif "Health" not in state:  # no probe in its image (the collector): running is all one can see
            if state["Status"] != "running":
                waiting.append(f"{name(c)} ({state['Status']})")
        elif state["Health"]["Status"] != "healthy":
            waiting.append(f"{name(c)} ({state.get('Health', {}).get('Status', state['Status'])})")
    if waiting:
        raise Broken("waiting for " + ", ".join(sorted(waiting)))
    return len(found) > 0


def up() -> None:
    """Start the stack from the built images and wait until every container is healthy."""
    compose("up", "-d", "--no-build", timeout=HEALTH_TIMEOUT)
    wait_for("every container healthy", all_healthy, HEALTH_TIMEOUT, every=3)


def admin_token() -> str:
    """Mint an Academy token inside a registry replica, with the key it reads from its secret."""
    return compose(
        "exec", "-T", "registry-api", "thidua-token", "--role", "academy_admin", "--hours", "2"
    ).strip()


@dataclass
class Suite:
    """The running stack as the check talks to it: through the gateway, with an Academy token."""

    token: str
    headers: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def register(self, code: str) -> requests.Response:
        """Register a ministry school through the gateway (the README's first example)."""
        school = {
            "code": code,
            "name": f"Trường kiểm tra {code}",
            "kind": "ministry",
            "province": "Hà Nội",
            "valid_from": "2021-01-01",
        }
        return requests.post(url("registry", "/schools"), json=school, headers=self.headers, timeout=10)

    def audited(self, school_id: str) -> bool:
        """Say whether the audit trail holds the school's registration (it came through Kafka)."""
        answer = requests.get(
            url("notifications", "/audit/events"),
            params={"type": "SchoolRegistered", "school_id": school_id},
            headers=self.headers,
            timeout=10,
        )
        answer.raise_for_status()
        return any(entry["school_id"] == school_id for entry in answer.json())

    def chain(self) -> dict[str, Any]:
        """Return the audit trail's verification."""
        answer = requests.get(url("notifications", "/audit/verify"), headers=self.headers, timeout=60)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


@dataclass
class Writer:
    """Registers schools through the gateway every few tenths of a second, counting the answers."""

    suite: Suite
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        """Write in a thread until stopped."""
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                answer = self.suite.register(f"KT-{n:04d}")
                if answer.status_code == 201:
                    self.accepted.append(answer.json()["school_id"])
                else:
                    self.refused.append(f"{answer.status_code}")
            except requests.RequestException as exc:
                self.refused.append(type(exc).__name__)
            self.stop.wait(0.3)


def first_example(suite: Suite) -> str:
    """Register a school and see it in the audit trail; return its id."""
    answer = suite.register("BO-GDDT")
    if answer.status_code != 201:
        raise Broken(f"POST /schools answered {answer.status_code}: {answer.text[:300]}")
    school_id: str = answer.json()["school_id"]
    wait_for("the school in the audit trail", lambda: suite.audited(school_id), 90)
    return school_id


def scraped() -> int:
    """Return how many targets Prometheus scrapes once every replica's is up and every alert rule loaded."""
    targets = requests.get(url("prometheus", "/api/v1/targets"), timeout=10).json()["data"]["activeTargets"]
    down = [t["labels"]["instance"] for t in targets if t["health"] != "up"]
    groups = requests.get(url("prometheus", "/api/v1/rules"), timeout=10).json()["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    if len(targets) < 16 or down or len(rules) < 10 or any(r["health"] != "ok" for r in rules):
        raise Broken(f"{len(targets)} targets ({len(down)} down: {down}), {len(rules)} rules")
    return len(targets)


def traced_registration() -> list[dict[str, Any]]:
    """Return a trace in Zipkin from the registry's POST /schools to the audit trail's apply of it."""
    answer = requests.get(
        url("zipkin", "/api/v2/traces"),
        params={"serviceName": "thidua-registry", "spanName": "post /schools", "limit": "50"},
        timeout=10,
    )
    answer.raise_for_status()
    for spans in answer.json():
        hops = {(span["localEndpoint"]["serviceName"], span.get("kind", "")) for span in spans}
        wanted = {
            ("thidua-registry", "SERVER"),
            ("thidua-registry", "PRODUCER"),
            ("thidua-notifications", "CONSUMER"),
        }
        if wanted <= hops:
            trace: list[dict[str, Any]] = spans
            return trace
    raise Broken(f"none of {len(answer.json())} traces of POST /schools reaches the audit trail")


SIGNS = (
    "import sys; from services.registry.config import load_settings; "
    "from services.registry.paper_pdf import fonts_at; "
    "sys.exit(0 if fonts_at(load_settings().font_dir) else 1)"
)
"""Exits 0 where the registry finds DejaVu Serif, which the signed decision's PDF is set in."""


def can_sign_decisions() -> None:
    """The registry's image carries the fonts its signed decisions need (else they go unsigned)."""
    compose("exec", "-T", "registry-api", "python", "-c", SIGNS, timeout=120)


def for_operators() -> None:
    """Prometheus scrapes every replica with the suite's alerts; the first example's trace is in Zipkin."""
    targets = wait_for("Prometheus up on every replica", scraped, 90, every=3)
    trace = wait_for("the first example's trace in Zipkin", traced_registration, 90, every=3)
    services = sorted({span["localEndpoint"]["serviceName"] for span in trace})
    print(f"compose-check: {targets} targets up; a trace of {len(trace)} spans across {services}", flush=True)


def console_shows(school_id: str) -> None:
    """Sign in to the operators' console through the gateway; its event stream shows the registration."""
    token = compose("exec", "-T", "registry-api", "thidua-token", "--role", "operator").strip()
    browser = requests.Session()
    browser.get(url("console", "/console/login"), timeout=10)
    csrf = browser.cookies.get("thidua_console_csrf", "")
    signed = browser.post(
        url("console", "/console/login"), data={"token": token, "csrf_token": csrf}, timeout=10
    )
    if signed.status_code != 200 or "Luồng sự kiện" not in signed.text:
        raise Broken(f"console sign-in answered {signed.status_code}: {signed.text[:300]}")
    events = browser.get(url("console", "/console/events"), params={"school_id": school_id}, timeout=30)
    if "SchoolRegistered" not in events.text:
        raise Broken(f"the console's event stream lacks the registration of {school_id}: {events.text[:500]}")


def form_token(page: requests.Response) -> str:
    """Return the CSRF token of a portal form."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if not found:
        raise Broken(f"no form on {page.url} ({page.status_code})")
    return found.group(1)


def sign_in_to_portal() -> None:
    """Set the first Academy account's password through its one-time link, enrol the second factor."""
    logs = compose("logs", "--no-color", "portal-first-account")
    links = re.findall(r"(http://\S+/loi-moi/\S+)", logs)
    if not links:
        raise Broken(f"no one-time link in portal-first-account's log: {logs[-500:]}")
    browser = requests.Session()
    link = links[-1]
    password = secrets.token_urlsafe(18)
    page = browser.get(link, timeout=10)
    done = browser.post(
        link,
        data={"csrf_token": form_token(page), "password": password, "confirmation": password},
        timeout=10,
    )
    if "Đã đặt mật khẩu" not in done.text:
        raise Broken(f"the password was not set ({done.status_code}): {done.text[:300]}")
    page = browser.get(url("portal", "/dang-nhap"), timeout=10)
    email = "vu.cactruongchinhtri@hcma.vn"
    enrol = browser.post(
        url("portal", "/dang-nhap"),
        data={"csrf_token": form_token(page), "email": email, "password": password},
        timeout=10,
    )
    secret = re.search(r'<code id="khoa-bi-mat">([A-Z2-7]+)</code>', enrol.text)
    if not secret:
        raise Broken(f"no second-factor enrolment after the password ({enrol.status_code} {enrol.url})")
    codes = browser.post(
        enrol.url,
        data={"csrf_token": form_token(enrol), "code": pyotp.TOTP(secret.group(1)).now()},
        timeout=10,
    )
    home = browser.get(url("portal", "/"), timeout=10)
    if codes.status_code != 200 or home.status_code != 200 or "Đăng xuất" not in home.text:
        raise Broken(f"not signed in: enrolment {codes.status_code}, home {home.status_code} {home.url}")


def least_privilege() -> None:
    """The registry's run role may write rows of its own database, and nothing more."""
    registry = (ROOT / "deploy/secrets/registry_database_url").read_text().strip()
    plain = registry.replace("postgresql+psycopg://", "postgresql://").replace("@postgres/", "@127.0.0.1/")

    def psql(database_url: str, sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker-compose", "-p", PROJECT, "exec", "-T", "postgres", "psql", database_url, "-c", sql],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )

    if psql(plain, "SELECT count(*) FROM events").returncode != 0:
        raise Broken("the registry's role cannot read its own events")
    made = psql(plain, "CREATE TABLE intruder (x int)")
    if made.returncode == 0 or "permission denied" not in made.stderr:
        raise Broken(f"the registry's role may create a table: {made.stderr.strip()}")
    other = psql(plain.rsplit("/", 1)[0] + "/scoring", "SELECT 1")
    if other.returncode == 0:
        raise Broken("the registry's role may connect to scoring's database")


def isolated() -> None:
    """A container reaches nothing beyond its own network (here: a public resolver)."""
    probe = "timeout 5 bash -c 'exec 3<>/dev/tcp/1.1.1.1/53' && echo reached || echo refused"
    answer = compose("exec", "-T", "registry-api", "bash", "-c", probe).strip()
    if answer != "refused":
        raise Broken(f"a container reached 1.1.1.1:53 ({answer})")


def container_of(service_number: str) -> dict[str, Any]:
    """Return the inspected container of one replica (service_N)."""
    for c in containers():
        if name(c) == service_number:
            return c
    raise Broken(f"no container {service_number}")


def crash(service_number: str) -> None:
    """Kill a container's processes with SIGKILL from the host, as a crash would; wait for its return."""
    before = container_of(service_number)
    os.kill(before["State"]["Pid"], 9)

    def back() -> bool:
        now = container_of(service_number)
        restarted = now["RestartCount"] > before["RestartCount"] and now["State"]["Running"]
        return restarted and now["State"].get("Health", {}).get("Status") == "healthy"

    wait_for(f"{service_number} restarted and healthy", back, 180, every=2)


def crashes(suite: Suite) -> None:
    """Crash a Kafka node, a worker replica and an API replica while writes go on; lose none of them."""
    writer = Writer(suite)
    thread = writer.start()
    try:
        for target in ("kafka-2_1", "registry-worker_1", "registry-api_1"):
            accepted = len(writer.accepted)
            began = time.monotonic()
            crash(target)
            during = len(writer.accepted) - accepted
            print(
                f"compose-check:   {target} killed -9, back in {time.monotonic() - began:.1f} s; "
                f"{during} writes accepted meanwhile",
                flush=True,
            )
            if during == 0:
                raise Broken(f"no write succeeded while {target} was down")
        accepted = len(writer.accepted)
        time.sleep(5)
        if len(writer.accepted) - accepted < 5:
            raise Broken("writes do not succeed after the crashes")
    finally:
        writer.stop.set()
        thread.join(timeout=15)
    print(
        f"compose-check:   {len(writer.accepted)} writes accepted, {len(writer.refused)} refused "
        f"({', '.join(sorted(set(writer.refused))) or 'none'})",
        flush=True,
    )
    if len(writer.refused) > len(writer.accepted) // 10:
        raise Broken(f"too many writes refused: {writer.refused}")
    wait_for(
        "every accepted write in the audit trail", lambda: all(map(suite.audited, writer.accepted)), 180, 5
    )


def kept_over_restart(suite: Suite, school_id: str, chain_before: int) -> None:
    """After down and up: the school, its events on the topic, and the audit trail that verifies."""
    answer = requests.get(url("registry", f"/schools/{school_id}"), headers=suite.headers, timeout=10)
    if answer.status_code != 200:
        raise Broken(f"the school registered before is gone: {answer.status_code}")
    tail = compose(
        "exec", "-T", "registry-worker", "thidua", "events", "tail", "--topic", "thidua.registry.events",
        "--school", school_id, "--format", "json",
    )  # fmt: skip
    if '"SchoolRegistered"' not in tail:
        raise Broken(f"the school's SchoolRegistered is not on thidua.registry.events: {tail[:300]}")
    chain = wait_for("the audit trail to verify", lambda: (c := suite.chain())["ok"] and c, 60)
    if chain["checked"] < chain_before:
        raise Broken(f"the audit trail shrank: {chain['checked']} entries, {chain_before} before")


def main() -> int:
    """Run every step; return 0 when all passed."""
    keep = os.environ.get("THIDUA_CHECK_KEEP") == "1"
    try:
        with step("docker-compose config -q"):
            compose("config", "-q")
        with step("up: every container healthy"):
            up()
        suite = Suite(admin_token())
        with step("README's first example through the gateway"):
            school_id = first_example(suite)
        with step("the registry has the fonts to sign decisions"):
            can_sign_decisions()
        with step("Prometheus scrapes every replica; the first example's trace is in Zipkin"):
            for_operators()
        with step("sign in to the portal with the one-time link and a second factor"):
            sign_in_to_portal()
        with step("sign in to the operators' console; it shows the first example's event"):
            console_shows(school_id)
        with step("each service's role writes rows of its own database only"):
            least_privilege()
        with step("containers reach nothing outside their network"):
            isolated()
        with step("kill -9 a Kafka node, a worker replica and an API replica under writes"):
            crashes(suite)
        chain_before = suite.chain()["checked"]
        with step("down, then up again"):
            compose("down", timeout=300)
            up()
        with step("the school, its events on the topic and the audit chain are still there"):
            kept_over_restart(Suite(admin_token()), school_id, chain_before)
    except Broken as broken:
        print(f"compose-check: {broken}", file=sys.stderr, flush=True)
        print(compose("ps", check=False), file=sys.stderr)
        return 1
    finally:
        if not keep:
            with step("down -v"):
                compose("down", "-v", "--remove-orphans", timeout=300, check=False)
    print(f"compose-check: passed in {time.monotonic() - CHECK_START:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""PostgreSQL killed under requests: the APIs and the portal answer 503 with Retry-After, never 500,
and every write they accepted is there once the database is back.

A private PostgreSQL (not the one the other tests share) is stopped at once (immediate mode, as a
crash) while a registry API under gunicorn takes writes and reads and a signed-in person keeps
opening a portal page; it is started again a few seconds later.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.auth import mint_token
from shared.db import create_engine
from tests.e2e.postgres_server import PrivateServer
from tests.e2e.processes import Suite, portal_account, signed_in
from tests.factories import TEST_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(300)]
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'an', 'academy_admin')}"}
OFFICER, PASSWORD = "thidua@yenbai.invalid", "mot-mat-khau-dai"


@pytest.fixture
def server() -> Iterator[PrivateServer]:
    try:
        private = PrivateServer()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    try:
        private.start()
        yield private
    finally:
        private.close()


def databases(server: PrivateServer) -> dict[str, str]:
    """Create a database for the registry and one for the portal on the private server."""
    engine = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in ("registry", "portal"):
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return {name: server.url.replace("/postgres?", f"/{name}?") for name in ("registry", "portal")}


class Traffic:
    """Writes and reads to the registry and page views of the portal, counted by status, in a loop."""

    def __init__(self, registry: str, portal: str, browser: requests.Session):
        self.registry, self.portal, self.browser = registry, portal, browser
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.accepted: list[str] = []
        self.unavailable: list[requests.Response] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            school = {
                "code": f"TEST{number:05d}",
                "name": f"Trường thử {number}",
                "kind": "provincial",
                "province": "Yên Bái",
                "valid_from": "2023-01-01",
            }
            for what, call in (
                (
                    "write",
                    lambda s=school: requests.post(
                        f"{self.registry}/schools", json=s, headers=ADMIN, timeout=10
                    ),
                ),
                ("read", lambda: requests.get(f"{self.registry}/schools", headers=ADMIN, timeout=10)),
                (
                    "page",
                    lambda: self.browser.get(f"{self.portal}/bao-mat/", timeout=10, allow_redirects=False),
                ),
                ("no page", lambda: self.browser.get(f"{self.portal}/khong-co-trang", timeout=10)),
            ):
                answer = call()
                self.statuses[(what, answer.status_code)] += 1
                if what == "write" and answer.status_code == 201:
                    self.accepted.append(answer.json()["school_id"])
                if answer.status_code == 503:
                    self.unavailable.append(answer)

    def count(self, status: int) -> int:
        return sum(n for (_what, code), n in self.statuses.items() if code == status)

    def wait_for(self, condition, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {dict(self.statuses)}"
            time.sleep(0.1)


def test_a_killed_database_gives_503_with_retry_after_never_500_and_loses_nothing(
    server: PrivateServer, tmp_path: Path
) -> None:
    urls = databases(server)
    suite = Suite(
        {
            "THIDUA_BUS_URL": f"file:{tmp_path / 'eventlog.sqlite'}",
            "THIDUA_DATA_DIR": str(tmp_path),
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "REGISTRY_DATABASE_URL": urls["registry"],
            "PORTAL_DATABASE_URL": urls["portal"],
        },
        tmp_path,
    )
    try:
        suite.migrate("registry")
        suite.migrate("portal")
        portal_account(urls["portal"], OFFICER, "Nguyễn Văn An", "school_officer", "sch_x", PASSWORD)
        registry = suite.start_api("registry", workers=2)
        portal = suite.start_api("portal", workers=2)
        traffic = Traffic(registry, portal, signed_in(portal, OFFICER, PASSWORD))
        traffic.thread.start()
        traffic.wait_for(lambda: traffic.statuses[("write", 201)] >= 20, "writes before the outage")
        server.kill()
        traffic.wait_for(
            lambda: (
                {what for (what, code) in traffic.statuses if code == 503}
                == {"write", "read", "page", "no page"}
            ),
            "every kind of request to meet the outage",
        )
        time.sleep(2)
        server.start()
        during = traffic.statuses[("write", 201)]
        traffic.wait_for(lambda: traffic.statuses[("write", 201)] >= during + 20, "writes after the outage")
        traffic.wait_for(
            lambda: traffic.statuses[("page", 200)] > 0 and len(traffic.unavailable) > 0, "pages"
        )
        traffic.stop.set()
        traffic.thread.join(timeout=30)
        assert traffic.statuses[("no page", 404)] > 0  # answered as a 404 page again once it is back
        print("statuses during the database kill:", dict(sorted(traffic.statuses.items())))
        assert traffic.count(500) == 0, dict(traffic.statuses)
        for answer in traffic.unavailable:
            assert answer.headers["Retry-After"] == "5"
            if answer.headers["Content-Type"].startswith("application/json"):
                assert answer.json()["error"]["code"] == "unavailable"
            else:
                assert "Tạm thời gián đoạn" in answer.text  # the portal's page, in Vietnamese
        assert traffic.statuses[("page", 200)] > 0  # the session survived the outage
        stored: set[str] = set()
        for page_no in range(1, 100):
            batch = requests.get(
                f"{registry}/schools", params={"per_page": 500, "page": page_no}, headers=ADMIN, timeout=10
            ).json()
            stored |= {s["school_id"] for s in batch}
            if len(batch) < 500:
                break
        assert set(traffic.accepted) <= stored  # nothing accepted was lost
        unhandled = [
            line
            for log in tmp_path.glob("*.log")
            for line in log.read_text().splitlines()
            if "unhandled error" in line
        ]
        assert unhandled == []
    finally:
        if "traffic" in locals():
            traffic.stop.set()
            traffic.thread.join(timeout=30)
        suite.stop_all()

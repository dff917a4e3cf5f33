"""The portal's suite for browser tests: every service as its own process on the embedded default, an
SMTP catcher for the invitations, and what the journeys share (signing in, accounts, axe-core checks)."""

from __future__ import annotations

import mailbox
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests

from shared.auth import mint_token
from tests.browser.conftest import SCREENSHOTS
from tests.e2e.processes import Suite, mail_catcher
from tests.factories import TEST_SECRET
from tests.ports import quiet_port

ACADEMY_EMAIL = "vu.cactruongchinhtri@hcma.vn"
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'an', 'academy_admin')}"}
SERIOUS = ("serious", "critical")
SERVICES = ("registry", "submissions", "scoring", "notifications")


class Running:
    """The suite's URLs, its mail directory, and the first Academy account's password and second factor."""

    def __init__(self, urls: dict[str, str], mail_dir: Path, admin_password: str, suite: Suite):
        self.urls = urls
        self.env = suite.env
        """The processes' environment, for a command a test runs beside them (the same bus and data)."""
        self.wait_until = suite.wait_until
        self.portal = urls["portal"]
        self.mail_dir = mail_dir
        self.admin_password = admin_password
        self.admin_secret = ""
        self.last_step = 0
        self.academy_cookies: list[dict[str, Any]] = []
        """The Academy's session after its last sign-in with a code: later journeys go on in it, as a
        person keeps one session through the day (each new sign-in needs a code of an unused 30 s step)."""

    def link_path(self, email: str, kind: str = "loi-moi") -> str:
        """Return the path of the newest one-time link (invitation or reset) sent to an address."""
        found: list[str] = []
        for message in sorted(mailbox.Maildir(self.mail_dir, create=False), key=lambda m: m["Date"] or ""):
            if email in (message["To"] or "") and not message.is_multipart():
                body = message.get_payload(decode=True).decode()
                found += re.findall(rf"https?://[^/\s]+(/{kind}/\S+)", body)
        assert found, f"no {kind} link to {email}"
        return found[-1]

    def invitation_path(self, email: str) -> str:
        """Return the path of the newest invitation link sent to an address."""
        return self.link_path(email)

    def next_code(self) -> str:
        """Return a TOTP code of the Academy account for a time step not used yet (waiting if need be)."""
        while True:
            current = int(time.time()) // 30
            step = max(current - 1, self.last_step + 1)
            if step <= current + 1:
                self.last_step = step
                return str(pyotp.TOTP(self.admin_secret).at(step * 30))
            time.sleep(1)

    def filings(self, **query: Any) -> list[dict[str, Any]]:
        """Return filings through the API, as the Academy reads them."""
        answer = requests.get(f"{self.urls['submissions']}/filings", params=query, headers=ADMIN, timeout=10)
        answer.raise_for_status()
        return list(answer.json())


def sign_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#dang-nhap")
    page.wait_for_load_state()  # the next page is read, not the one being replaced (its document was null)


NEW_ACADEMY_PASSWORD = "mat-khau-cua-hoc-vien"


def academy_signs_in(page, running: Running, fresh: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Bring the Academy in: in its open session when it has one (unless ``fresh``); otherwise signing in,
    the first time enrolling its second factor and replacing the generated password, afterwards with the
    password and a fresh code."""
    if running.academy_cookies and not fresh:
        page.context.add_cookies(running.academy_cookies)
        page.goto(f"{running.portal}/hoc-vien/")
        if page.url.endswith("/hoc-vien/"):
            return
        page.context.clear_cookies()  # the session ended (signed out, expired): sign in again
    _academy_signs_in(page, running)
    running.academy_cookies = page.context.cookies()


def _academy_signs_in(page, running: Running) -> None:  # type: ignore[no-untyped-def]
    """Sign the Academy in with its password and a code (enrolling the second factor the first time)."""
    if running.admin_secret:
        sign_in(page, running.portal, ACADEMY_EMAIL, NEW_ACADEMY_PASSWORD)
        assert page.url.endswith("/dang-nhap/xac-thuc")
        no_serious_violations(page, "second factor")
        page.screenshot(path=str(SCREENSHOTS / "portal-second-factor.png"), full_page=True)
        page.fill("#code", running.next_code())
        page.click("#xac-thuc")
        assert page.url.endswith("/hoc-vien/"), page.inner_text("main")
        return
    sign_in(page, running.portal, ACADEMY_EMAIL, running.admin_password)
    assert page.url.endswith("/dang-nhap/dang-ky-xac-thuc")  # no Academy account without a second factor
    no_serious_violations(page, "second factor enrolment")
    page.screenshot(path=str(SCREENSHOTS / "portal-enrol-second-factor.png"), full_page=True)
    running.admin_secret = page.inner_text("#khoa-bi-mat").strip()
    page.fill("#code", running.next_code())
    page.click("#bat-xac-thuc")
    assert page.locator("#ma-du-phong li").count() == 10
    page.click("#tiep-tuc")
    assert page.url.endswith("/bao-mat/doi-mat-khau")  # the generated password must go
    no_serious_violations(page, "forced password change")
    page.goto(f"{running.portal}/hoc-vien/")
    assert page.url.endswith("/bao-mat/doi-mat-khau")  # nothing else opens before it is changed
    page.fill("#current", running.admin_password)
    page.fill("#password", NEW_ACADEMY_PASSWORD)
    page.fill("#confirmation", NEW_ACADEMY_PASSWORD)
    page.click("#doi-mat-khau")
    assert page.url.endswith("/hoc-vien/"), page.inner_text("main")


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#dang-xuat")


def hand_over(page) -> None:  # type: ignore[no-untyped-def]
    """Pass the browser to another person: its cookies go, the session behind them stays open (the
    Academy's, which later journeys go on in; signing out would end it everywhere)."""
    page.context.clear_cookies()


def accept_invitation(page, running: Running, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(running.portal + running.invitation_path(email))
    page.fill("#password", password)
    page.fill("#confirmation", password)
    page.click("#dat-mat-khau")
    assert "Mật khẩu đã được đặt" in page.inner_text("main")


def academy_creates(page, running: Running, name: str, email: str, role: str, tenant: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.select_option("#role", role)
    page.select_option("#tenant", tenant)
    page.click("#tao-tai-khoan button")
    assert f"Đã gửi thư mời tới {email}" in page.inner_text("main")


def no_serious_violations(page, where: str) -> None:  # type: ignore[no-untyped-def]
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    violations = axe.run(page).response["violations"]
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in SERIOUS]
    assert serious == [], f"{where}: {serious}"


@contextmanager
def portal_suite(
    home: Path, clock_at: str, prepare: Callable[[Suite], None] | None = None
) -> Iterator[Running]:
    """Run the suite with its portal at a fixed time; ``prepare`` loads data before the processes start."""
    smtp_port = quiet_port()  # the catcher binds it itself
    suite = Suite(
        {
            "THIDUA_BUS_URL": f"file:{home / 'eventlog.sqlite'}",
            "THIDUA_DATA_DIR": str(home),
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "THIDUA_CLOCK_AT": clock_at,
            "SUBMISSIONS_DOCUMENTS_DIR": str(home / "documents"),
            "SMTP_PORT": str(smtp_port),
            "NOTIFY_INTERVAL": "0.5",
            "PORTAL_THROTTLE_FIRST_SECONDS": "120",  # a throttled browser surely still waits when it retries
        },
        home,
    )
    with mail_catcher(smtp_port, home / "mail"):
        try:
            for service in ("registry", "submissions", "scoring", "notifications", "portal"):
                suite.migrate(service)
            suite.run_role("registry", "seed")
            if prepare is not None:
                prepare(suite)
            subprocess.run(
                [sys.executable, "-m", "services", "portal", "first-account"],
                env=suite.env,
                check=True,
                timeout=60,
            )
            urls = {
                service: suite.start_api(service)
                for service in ("registry", "submissions", "scoring", "notifications")
            }
            suite.env.update({f"{service.upper()}_URL": url for service, url in urls.items()})
            for service in ("registry", "submissions", "scoring", "notifications"):
                suite.start_worker(service)
            urls["portal"] = suite.start_api("portal")
            suite.wait_for_year(urls["submissions"], 2023, 90)
            admin_password = (home / "portal-admin.txt").read_text().strip()
            yield Running(urls, home / "mail", admin_password, suite)
        finally:
            suite.stop_all()


CODES = re.compile(
    r"\b(?:sch|sub|cl)_\w+|\b(?:SO_KET|BAO_CAO_SO_KET|HOI_NGHI_TONG_KET|HO_SO_CUM|KIEM_TRA|PHAT_DONG|DANG_KY_CUM)\b"
    r"|\bT[1-9]b?\b|\b(?:school_officer|cluster_head|academy_admin|provincial_viewer)\b"
)
"""What a person must never read on a page: internal ids, form or target codes, role names of the code."""


def menu_pages_show_no_code(page: Any, running: Running, who: str) -> list[str]:
    """Visit every page of the signed-in person's menu; return each code found in a page's text."""
    found: list[str] = []
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    for link in links:
        page.goto(running.portal + link if link.startswith("/") else link)
        found += [f"{who} {link}: {code}" for code in CODES.findall(page.inner_text("body"))]
    return found

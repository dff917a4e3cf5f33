"""The operator console in a real headless Chromium against the running suite (each service its own process).

The status board shows the right colours for a seeded year, and a DLQ re-drive works from the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from services.vocabulary import SUBMISSIONS_TOPIC
from shared import operator
from shared.auth import mint_token
from shared.bus import OutgoingRecord, Start, make_bus
from tests.browser.conftest import SCREENSHOTS, wait_for
from tests.e2e.processes import Suite
from tests.factories import TEST_SECRET, make_envelope

pytestmark = pytest.mark.e2e
CLUSTER = "cl_2023_trung_du_bac"
ADMIN = mint_token(TEST_SECRET, "an", "academy_admin")
OPERATOR = mint_token(TEST_SECRET, "olga", "operator")
COLOURS = {
    "on_time": "rgb(205, 236, 207)",
    "missing": "rgb(248, 208, 208)",
    "amended": "rgb(207, 224, 251)",
    "exempt": "rgb(227, 227, 227)",
}


def auth(token: str = ADMIN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[tuple[Suite, dict[str, str]]]:
    bus_url = f"file:{tmp_path / 'eventlog.sqlite'}"
    suite = Suite(
        {
            "THIDUA_BUS_URL": bus_url,
            "THIDUA_DATA_DIR": str(tmp_path),
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "THIDUA_CLOCK_AT": "2023-03-04T10:00:00+07:00",
            "SUBMISSIONS_WATCH_INTERVAL": "0.5",
            "NOTIFY_INTERVAL": "0.5",
            "SUBMISSIONS_DOCUMENTS_DIR": str(tmp_path / "documents"),
        },
        tmp_path,
    )
    try:
        for service in ("registry", "submissions", "scoring", "notifications"):
            suite.migrate(service)
        suite.run_role("registry", "seed")
        suite.start_worker("registry")
        registry = suite.start_api("registry")
        submissions = suite.start_api("submissions")
        scoring = suite.start_api("scoring")
        suite.env.update({"REGISTRY_URL": registry, "SUBMISSIONS_URL": submissions, "SCORING_URL": scoring})
        suite.start_worker("submissions")
        suite.start_worker("notifications")
        notifications = suite.start_api("notifications")
        suite.env["NOTIFICATIONS_URL"] = notifications
        console = suite.start_api("console")
        suite.wait_until(
            lambda: (
                requests.get(
                    f"{submissions}/status-board", params={"year": 2023}, headers=auth(), timeout=5
                ).status_code
                == 200
            ),
            "submissions to learn the 2023 campaign",
            90,
        )
        yield suite, {"submissions": submissions, "console": console, "bus": bus_url}
    finally:
        suite.stop_all()


def login(page, base: str, token: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/console/login")
    page.fill("#token", token)
    page.click("#login")
    page.wait_for_url(f"{base}/console/events")


def test_the_status_board_shows_each_filing_state_in_its_colour(browser, suite) -> None:  # type: ignore[no-untyped-def]
    _running, urls = suite
    submissions = urls["submissions"]
    plan = {"summary": "Kế hoạch", "registered_titles": ["Cờ thi đua"]}
    filed = requests.post(
        f"{submissions}/filings",
        json={"year": 2023, "form": "01", "school_id": "sch_hoabinh", "payload": plan},
        headers=auth(),
        timeout=10,
    )
    assert filed.status_code == 201, filed.text
    phu_tho = requests.post(
        f"{submissions}/filings",
        json={"year": 2023, "form": "01", "school_id": "sch_phutho", "payload": plan},
        headers=auth(),
        timeout=10,
    ).json()
    requests.put(
        f"{submissions}/filings/{phu_tho['submission_id']}",
        json={"payload": {**plan, "summary": "Bản sửa"}},
        headers=auth(),
        timeout=10,
    ).raise_for_status()
    requests.post(
        f"{submissions}/exemptions",
        json={"year": 2023, "deadline_code": "PLAN", "filer_id": "sch_tuyenquang", "reason": "Thiên tai"},
        headers=auth(),
        timeout=10,
    ).raise_for_status()
    page = browser.new_page()
    login(page, urls["console"], OPERATOR)
    page.goto(f"{urls['console']}/console/board?year=2023&cluster_id={CLUSTER}")
    expected = {
        "sch_hoabinh": "on_time",
        "sch_phutho": "amended",
        "sch_tuyenquang": "exempt",
        "sch_yenbai": "missing",
    }
    for school, state in expected.items():
        cell = page.locator(f'tr[data-school="{school}"] td[data-deadline="PLAN"]')
        assert cell.get_attribute("class") == state
        assert cell.evaluate("el => getComputedStyle(el).backgroundColor") == COLOURS[state]
    assert page.locator("#board tr").count() == 1 + 7
    picked = page.locator('select[name="cluster_id"] option:checked').inner_text()
    assert picked.startswith("Cụm")  # the cluster is picked by its name, not typed as an id
    plan_header = page.locator('th[data-code="PLAN"]').inner_text()
    assert "Kế hoạch" in plan_header and "05/03/2023" in plan_header
    page.screenshot(path=str(SCREENSHOTS / "console-board.png"), full_page=True)

    page.goto(f"{urls['console']}/console/events")
    page.locator("#events a").first.click()  # an event's own page, from the stream
    assert page.locator("h1").inner_text().startswith("Sự kiện ")
    assert page.locator("#headers").inner_text().count("thidua.") >= 1 and page.locator("#data").inner_text()
    assert "Không ghi vết" in page.locator("#headers").inner_text()  # tracing is off here
    page.screenshot(path=str(SCREENSHOTS / "console-event.png"), full_page=True)
    page.goto(f"{urls['console']}/console/activity")
    assert page.locator("#activity svg polyline").count() >= 1
    page.goto(f"{urls['console']}/console/audit")
    assert "toàn vẹn" in page.locator("main").inner_text()  # the hash chain's state
    page.goto(f"{urls['console']}/console/scores?year=2023&cluster_id={CLUSTER}")
    assert page.locator('select[name="cluster_id"] option').count() == 8  # every 2023 cluster, by name
    page.goto(f"{urls['console']}/console/proposals?year=2023&cluster_id={CLUSTER}")
    assert page.locator("h1").inner_text().startswith("Đề nghị khen thưởng năm 2023 — Cụm")
    page.goto(f"{urls['console']}/console/events?school_id=sch_hoabinh")
    assert (
        page.locator('select[name="school_id"] option:checked').inner_text()
        == "Trường Chính trị tỉnh Hòa Bình"
    )
    page.goto(f"{urls['console']}/console/mail")
    assert page.locator("#mail tr").count() >= 2  # the receipts of the filings above

    page.goto(f"{urls['console']}/console/events")  # found again by where it was read, or by its id
    first = page.locator("#events tr").nth(1).locator("td")
    topic, partition, offset = (first.nth(n).inner_text() for n in (2, 3, 4))
    page.select_option("#tim-su-kien select[name=topic]", topic)
    page.fill("#tim-su-kien input[name=partition]", partition)
    page.fill("#tim-su-kien input[name=offset]", offset)
    page.click("#tim-su-kien button")
    expect(page.locator("#events tr")).to_have_count(2)
    assert "tự cập nhật" not in page.locator("h1").inner_text()
    event_id = page.locator("#events a").first.get_attribute("href").rsplit("/", 1)[-1]
    page.goto(f"{urls['console']}/console/events?event_id={event_id}")
    assert page.locator("#events tr").count() == 2
    page.goto(f"{urls['console']}/console/events?since=2099-01-01T00:00")
    assert "Không có sự kiện nào khớp." in page.locator("#events").inner_text()
    page.goto(f"{urls['console']}/console/audit?moi-nhat=1")
    assert page.locator("#audit tr").count() >= 2
    with page.expect_download() as download:
        page.click("#tai-nhat-ky")
    assert download.value.path().read_text(encoding="utf-8-sig").startswith('"seq"')
    page.goto(f"{urls['console']}/console/topics")
    row = page.locator(f"#cac-chu-de tr[data-topic='{SUBMISSIONS_TOPIC}']").inner_text()
    assert "notifications-" in row  # each group's lag on it
    page.screenshot(path=str(SCREENSHOTS / "console-topics.png"), full_page=True)
    page.close()


def test_a_dead_letter_is_redriven_from_the_page(browser, suite) -> None:  # type: ignore[no-untyped-def]
    running, urls = suite
    bus = make_bus(urls["bus"])
    bus.ensure_topics([SUBMISSIONS_TOPIC])
    poison = make_envelope(
        "missed-browser", 1, type="DeadlineMissed", schema_version=1, data={"year": "không phải năm"}
    )
    bus.publish([OutgoingRecord(SUBMISSIONS_TOPIC, *poison.to_record())])
    wait_for(
        lambda: operator.dead_letters(bus, SUBMISSIONS_TOPIC),
        "the notifications worker to dead-letter the event",
    )

    page = browser.new_page()
    login(page, urls["console"], OPERATOR)
    page.goto(f"{urls['console']}/console/dlq?topic={SUBMISSIONS_TOPIC}")
    assert page.locator("#dlq").inner_text().count("(chỉ quản trị viên)") >= 1
    assert page.locator("button.redrive").count() == 0
    page.click("#dang-xuat")
    login(page, urls["console"], ADMIN)
    page.goto(f"{urls['console']}/console/dlq?topic={SUBMISSIONS_TOPIC}")
    assert "DeadlineMissed" in page.locator("#dlq").inner_text()
    page.locator("button.redrive").first.click()
    page.wait_for_selector("[role=status]")
    assert "Đã gửi lại về thidua.submissions.events" in page.locator("[role=status]").inner_text()
    redriven = [
        r for r in bus.read([SUBMISSIONS_TOPIC], Start(), 10_000) if r.header(operator.REDRIVEN_HEADER)
    ]
    assert len(redriven) == 1 and redriven[0].key == b"missed-browser"
    history = page.locator("#dlq-history").inner_text()
    assert "Gửi lại" in history and "academy_admin:" in history  # the decision, who took it, when
    page.goto(f"{urls['console']}/console/topics?topic={SUBMISSIONS_TOPIC}")
    assert page.locator("#partitions tr[data-partition]").count() == 3
    rebuilt = subprocess.run(
        [sys.executable, "-m", "services.cli", "rebuild", "scoring"],
        env={**os.environ, **running.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    page.goto(f"{urls['console']}/console/rebuilds")
    row = page.locator('#rebuilds tr[data-state="done"]')
    assert row.count() == 1 and "Xong" in row.inner_text()
    page.goto(f"{urls['console']}/console/lag?group=notifications-audit")
    assert page.locator('select[name="group"] option:checked').inner_text() == "notifications-audit"
    assert set(page.locator("#lag td:first-child").all_inner_texts()) == {"notifications-audit"}
    page.close()

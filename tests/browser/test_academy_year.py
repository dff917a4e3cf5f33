"""The Academy ends the demonstration year in a real Chromium: it decides the awards within quota (an
over-quota attempt refused), downloads the decision, corrects it, revokes an award, and once the late
province confirms its Form 09 issues a supplementary decision; each province hears of its own schools'
awards on its own topic; then the Academy reads the register and the statistics, and each role signs in
on the demonstration data and no page of any menu shows an internal code.

The suite runs as separate processes on the embedded default, loaded with ``python -m services.demo
--until proposals``: the 2023 year played up to the clusters' proposals, at the time of the decision.
"""

from __future__ import annotations

import hashlib
import io
import json
import mailbox
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from email.header import decode_header, make_header
from typing import Any

import pytest
import requests
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.demo import LATE_FORM_09
from services.vocabulary import OUTBOUND_PREFIX
from shared.bus import Start
from shared.bus.factory import make_bus
from tests.browser.conftest import SCREENSHOTS
from tests.browser.portal_suite import (
    ACADEMY_EMAIL,
    ADMIN,
    Running,
    academy_creates,
    academy_signs_in,
    accept_invitation,
    hand_over,
    menu_pages_show_no_code,
    no_serious_violations,
    portal_suite,
    sign_in,
    sign_out,
)
from tests.e2e.processes import Suite
from tests.registry.test_signed_decision import validity

pytestmark = pytest.mark.e2e
DECISION = "15-QĐ/HVCTQG"
NOT_AWARDED = "Vượt chỉ tiêu khen thưởng của năm"


def _demonstration(suite: Suite) -> None:
    subprocess.run(
        [sys.executable, "-m", "services.demo", "--until", "proposals"],
        env=suite.env,
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("academy-year")
    with portal_suite(home, "2024-01-15T09:00:00+07:00", _demonstration) as suite:
        yield suite


def registry(running: Running, path: str, **params: Any) -> Any:
    answer = requests.get(f"{running.urls['registry']}{path}", params=params, headers=ADMIN, timeout=10)
    answer.raise_for_status()
    return answer.json()


def beyond_quota(running: Running) -> list[dict[str, Any]]:
    """Return the proposals a decision within quota leaves out: the lowest scores beyond each quota."""
    before = registry(running, "/awards/2023/proposals")
    left_out = []
    for award, quota in before["quotas"].items():
        ranked = sorted(
            (p for p in before["proposals"] if p["award"] == award and p["status"] == "proposed"),
            key=lambda p: -p["final"],
        )
        left_out += ranked[quota:]
    return left_out


def school_ids(running: Running) -> dict[str, str]:
    """Return each school's id by its code (its province's or ministry's system)."""
    return {s["code"]: s["school_id"] for s in registry(running, "/schools", per_page=500, year=2023)}


def provincial_feeds(running: Running) -> dict[str, list[dict[str, Any]]]:
    """Return the events on each system's outbound topic, by the system's code."""
    bus = make_bus(running.env["THIDUA_BUS_URL"], client_id="browser-test")
    try:
        return {
            topic.removeprefix(OUTBOUND_PREFIX): [
                {"type": (r.header("ce_type") or b"").decode(), "data": json.loads(r.value or b"{}")}
                for r in bus.read([topic], Start(), 1000)
            ]
            for topic in bus.topics(OUTBOUND_PREFIX)
        }
    finally:
        bus.close()


def test_the_academy_decides_the_awards_within_quota_and_downloads_the_decision(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="vi-VN")
    academy_signs_in(page, running)
    page.click("header nav a:text-is('Khen thưởng')")
    assert page.locator("h1").inner_text() == "Khen thưởng phong trào thi đua năm 2023"
    review = page.locator("#de-nghi").inner_text()
    assert "Cờ thi đua của Học viện" in review and "Đủ 2 bản" in review  # Form 09 confirmed by the province
    late = school_ids(running)[LATE_FORM_09]  # its province has confirmed one copy of two so far
    late_field = f"verdict:{late}:co_thi_dua"
    assert "1/2 bản" in page.locator(f"tr:has([id='{late_field}:co'])").inner_text()
    assert "Cờ thi đua của Học viện tối đa 6 trường" in page.inner_text("main")
    no_serious_violations(page, "the national review of the proposals")
    page.fill("#number", DECISION)
    page.fill("#signed_on", "2024-01-15")
    page.fill("#signer_name", "Nguyễn Văn Minh")
    page.fill("#signer_title", "Giám đốc")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-review.png"), full_page=True)
    assert page.locator("#de-nghi input[type=radio]:checked").count() == 0  # nothing chosen beforehand
    offered = page.locator(f"#de-nghi input[type=radio][value=awarded]:not([name='{late_field}'])").all()
    for box in offered:  # the late Form 09's flag is left for a supplementary decision
        box.check()
    flags = page.locator("#so-luong tr[data-award=co_thi_dua]")
    assert flags.locator("td.adding").inner_text() == "7" and "over" in (flags.get_attribute("class") or "")
    page.click("button:has-text('Lưu dự thảo')")  # a draft may go beyond a quota; it is kept to edit on
    assert "Đã lưu dự thảo quyết định" in page.inner_text("main")
    assert page.locator("#de-nghi input[type=radio][value=awarded]:checked").count() == len(offered)
    page.click("button:has-text('Xem lại trước khi ban hành')")  # every proposal awarded: too many
    refusal = page.locator("[role=alert]").inner_text()
    assert refusal.startswith("Vượt chỉ tiêu khen thưởng của năm: Cờ thi đua của Học viện chọn"), refusal
    assert "chỉ tiêu 6" in refusal, refusal  # every award over its quota is named, with its count
    assert (
        requests.get(
            f"{running.urls['registry']}/awards/2023/decision", headers=ADMIN, timeout=10
        ).status_code
        == 404
    ), "a refused decision records nothing"

    left_out = beyond_quota(running)
    for proposal in left_out:
        field = f"verdict:{proposal['school_id']}:{proposal['award']}"
        page.check(f"[id='{field}:khong']")
    page.click("button:has-text('Xem lại trước khi ban hành')")
    assert "Ghi rõ lý do không khen thưởng" in page.inner_text("main")  # not awarded, and no reason given
    for proposal in left_out:
        field = f"verdict:{proposal['school_id']}:{proposal['award']}"
        page.fill(f"[id='reason:{field}']", NOT_AWARDED)
    page.click("button:has-text('Xem lại trước khi ban hành')")
    confirm = page.locator("#xac-nhan").inner_text()  # every dossier complete: the provinces confirmed
    assert f"Quyết định số {DECISION}" in confirm and "Xác nhận ban hành" in confirm
    assert page.locator("#duoc-khen-thuong li").count() == 5 + 12
    no_serious_violations(page, "the confirmation of the decision")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-confirm.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-confirm-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 720})
    with page.expect_download() as preview:
        page.click("text=Xem văn bản sẽ ban hành")
    drafted = Document(io.BytesIO(preview.value.path().read_bytes()))
    assert drafted.paragraphs[0].text.startswith("DỰ THẢO")  # the preview says it is a draft
    assert (
        requests.get(
            f"{running.urls['registry']}/awards/2023/decision", headers=ADMIN, timeout=10
        ).status_code
        == 404
    ), "nothing is issued before the confirmation"
    page.click("button:has-text('Xác nhận ban hành')")
    assert f"Đã ban hành Quyết định khen thưởng số {DECISION}" in page.inner_text("main")
    decided = registry(running, "/awards/2023/decision")
    awarded = [v for v in decided["verdicts"] if v["awarded"]]
    assert len(awarded) == 5 + 12 and len(decided["verdicts"]) == len(awarded) + len(left_out)
    assert late not in {v["school_id"] for v in decided["verdicts"]}, "the late dossier waits"
    assert {v["reason"] for v in decided["verdicts"] if not v["awarded"]} == {NOT_AWARDED}
    no_serious_violations(page, "the decision issued")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-decided.png"), full_page=True)

    with page.expect_download() as download:
        page.click("text=Tải Quyết định khen thưởng (DOCX)")
    content = download.value.path().read_bytes()
    shown = page.locator("#ma-bam code").inner_text()
    assert hashlib.sha256(content).hexdigest() == shown == decided["paper_sha256"]  # the hash beside it
    paper = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in paper.paragraphs)
    cells = "\n".join(c.text for t in paper.tables for row in t.rows for c in row.cells)
    assert "QUYẾT ĐỊNH" in text and "về việc khen thưởng phong trào thi đua năm 2023" in text
    assert f"Số {DECISION}" in cells and "Hà Nội, ngày 15 tháng 01 năm 2024" in cells
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells and "NGUYỄN VĂN MINH" not in cells
    assert "Nguyễn Văn Minh" in cells and "GIÁM ĐỐC" in cells  # the signature block
    assert "Điều 1. Tặng Cờ thi đua của Học viện cho 5 tập thể" in text
    assert "DANH SÁCH" in text and f"Kèm theo Quyết định số {DECISION}" in text
    names = {s["school_id"]: s["name"] for s in registry(running, "/schools", per_page=500)}
    assert all(names[v["school_id"]] in cells for v in awarded), "every school awarded is in the annex"
    never = {p["school_id"] for p in left_out} - {v["school_id"] for v in awarded}
    assert never and all(names[s] not in cells for s in never), "and no school left out is"

    with page.expect_download() as signed_download:
        page.click("text=Tải bản PDF có chữ ký số")
    signed = signed_download.value.path().read_bytes()
    assert hashlib.sha256(signed).hexdigest() == page.locator("#ma-bam-pdf code").inner_text()
    assert validity(signed, running.mail_dir.parent / "signing" / "ca.pem") == (True, True)  # PAdES, trusted

    page.click("text=Đính chính số, ngày hoặc người ký")
    page.fill("#number", "16-QĐ/HVCTQG")
    page.click("button:has-text('Ghi đính chính')")
    assert "Ghi rõ lý do đính chính" in page.inner_text("main")  # a correction needs its reason
    page.fill("#reason", "Gõ nhầm số quyết định")
    page.click("button:has-text('Ghi đính chính')")
    section = page.locator("#quyet-dinh").inner_text()
    assert "Quyết định số 16-QĐ/HVCTQG" in section and "lý do: Gõ nhầm số quyết định" in section
    with page.expect_download() as again:
        page.click("text=Tải Quyết định khen thưởng (DOCX)")
    corrected = again.value.path().read_bytes()
    assert (
        corrected != content
        and hashlib.sha256(corrected).hexdigest() == page.locator("#ma-bam code").inner_text()
    )
    no_serious_violations(page, "the decision as corrected")
    phone(page, "portal-awards-decided-phone.png")
    with page.expect_download() as signed_again:
        page.click("text=Tải bản PDF có chữ ký số")
    signed_corrected = signed_again.value.path().read_bytes()

    renamed = awarded[1]["school_id"]  # a rename after the decision changes no issued paper
    name = names[renamed]
    rename(running, renamed, f"{name} (tên mới)")
    page.reload()
    with page.expect_download() as docx_after:
        page.click("text=Tải Quyết định khen thưởng (DOCX)")
    with page.expect_download() as pdf_after:
        page.click("text=Tải bản PDF có chữ ký số")
    assert docx_after.value.path().read_bytes() == corrected
    assert pdf_after.value.path().read_bytes() == signed_corrected
    rename(running, renamed, name)

    revoked = next(
        v for v in awarded if v["school_id"] == "sch_hoabinh"
    )  # its school and province look later
    page.click(f"a[href$='/thu-hoi/2023/{revoked['school_id']}/{revoked['award']}']")
    page.fill("#reason", "Kê khai thành tích không trung thực")
    page.fill("#legal_basis", "Chương VII Luật Thi đua, khen thưởng số 06/2022/QH15")
    no_serious_violations(page, "the revocation of an award")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-revoke.png"), full_page=True)
    phone(page, "portal-awards-revoke-phone.png")
    page.click("button:has-text('Thu hồi khen thưởng')")
    assert "Đã thu hồi" in page.inner_text("main")
    entry = next(
        e
        for e in registry(running, "/awards/register", year=2023)
        if e["school_id"] == revoked["school_id"] and e["award"] == revoked["award"]
    )
    assert entry["revoked"] and entry["revoked_reason"] == "Kê khai thành tích không trung thực"
    page.goto(f"{running.portal}/hoc-vien/khen-thuong/dinh-chinh/2023/{decided['decision_id']}")
    no_serious_violations(page, "the correction of a decision")
    phone(page, "portal-awards-correct-phone.png")
    page.close()


def phone(page: Any, name: str) -> None:
    """Take a screenshot of the page at a phone's width, then return to the desktop's; the page itself
    must not be wider than the phone (a wide table scrolls in its own frame)."""
    page.set_viewport_size({"width": 390, "height": 844})
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.closest('.table-wrap') || e.classList.contains('table-wrap'))
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""
    )
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert wider == [] and width <= 390, f"{name}: {width} px wide; wider than a phone: {wider[:8]}"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def rename(running: Running, school_id: str, name: str) -> None:
    """Rename a school as the Academy would in the registry."""
    answer = requests.patch(
        f"{running.urls['registry']}/schools/{school_id}", json={"name": name}, headers=ADMIN, timeout=10
    )
    assert answer.status_code == 200, answer.text


def test_a_late_form_09_is_awarded_in_a_supplementary_decision_and_each_province_hears_of_its_own(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    late = school_ids(running)[LATE_FORM_09]
    subprocess.run(
        [sys.executable, "-m", "services.demo", "--late-form-09"], env=running.env, check=True, timeout=120
    )
    page = browser.new_page(locale="vi-VN")
    academy_signs_in(page, running)
    field = f"verdict:{late}:co_thi_dua"

    def complete() -> bool:
        proposals = registry(running, "/awards/2023/proposals")["proposals"]
        return any(p["school_id"] == late and p["form_09_copies"] == 2 for p in proposals)

    running.wait_until(complete, "the late confirmation to reach the registry")
    page.goto(f"{running.portal}/hoc-vien/khen-thuong/?nam=2023")
    supplementary = page.locator("#de-nghi tbody tr")
    assert supplementary.count() == 1 and "Đủ 2 bản" in supplementary.inner_text()
    assert "Quyết định bổ sung" in page.inner_text("main")
    page.check(f"[id='{field}:co']")
    flags = page.locator("#so-luong tr[data-award=co_thi_dua]")
    assert flags.locator("td.adding").inner_text() == "1"
    page.fill("#number", "27-QĐ/HVCTQG")
    page.fill("#signed_on", "2024-01-15")
    page.fill("#signer_name", "Nguyễn Văn Minh")
    page.fill("#signer_title", "Giám đốc")
    no_serious_violations(page, "the supplementary decision's draft")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-supplementary.png"), full_page=True)
    phone(page, "portal-awards-supplementary-phone.png")
    page.click("button:has-text('Xem lại trước khi ban hành')")
    expect(page.locator("#duoc-khen-thuong li")).to_have_count(1)
    page.click("button:has-text('Xác nhận ban hành')")
    assert "Đã ban hành Quyết định khen thưởng bổ sung số 27-QĐ/HVCTQG" in page.inner_text("main")
    issued = requests.get(
        f"{running.urls['registry']}/awards/2023/decisions", headers=ADMIN, timeout=10
    ).json()
    assert [d["kind"] for d in issued] == ["main", "supplementary"]
    assert [(v["school_id"], v["awarded"]) for v in issued[1]["verdicts"]] == [(late, True)]
    second = page.locator("#quyet-dinh-2").inner_text()
    assert "Quyết định bổ sung số 27-QĐ/HVCTQG" in second and "Được khen thưởng" in second
    page.close()

    codes = {school_id: code for code, school_id in school_ids(running).items()}
    revoked = next(e for e in registry(running, "/awards/register", year=2023) if e.get("revoked"))
    running.wait_until(
        lambda: any(e["type"] == "AwardGranted" for e in provincial_feeds(running).get(LATE_FORM_09, [])),
        "the forwarder to copy the supplementary award to the province's topic",
    )
    feeds = provincial_feeds(running)
    granted = [e["data"] for e in feeds[LATE_FORM_09] if e["type"] == "AwardGranted"]
    assert [(g["school_id"], g["number"]) for g in granted] == [(late, "27-QĐ/HVCTQG")]
    for code, events in feeds.items():  # a province hears of its own schools' grants and revocations only
        for event in events:
            if event["type"] in ("AwardGranted", "AwardRevoked"):
                assert codes.get(event["data"]["school_id"]) == code == event["data"]["school_code"], event
    revocations = [
        (code, e["data"]["school_id"])
        for code, events in feeds.items()
        for e in events
        if e["type"] == "AwardRevoked"
    ]
    assert revocations == [(codes[revoked["school_id"]], revoked["school_id"])]
    corrected = {
        code for code, events in feeds.items() if any(e["type"] == "AwardDecisionCorrected" for e in events)
    }
    main = issued[0]
    assert corrected == {codes[v["school_id"]] for v in main["verdicts"] if v["awarded"]}


def test_the_register_keeps_each_award_under_the_school_that_carries_it_now(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    page.click("header nav a:text-is('Sổ khen thưởng')")
    rows = page.locator("#so-khen-thuong tbody tr")
    expect(rows).to_have_count(18)
    page.select_option("#truong", label="Trường Chính trị tỉnh Phú Thọ")  # the school of the 2025 merger
    page.click("button:has-text('Xem')")
    register = page.locator("#so-khen-thuong").inner_text()
    assert "Trường Chính trị tỉnh Hòa Bình" in register, register  # merged into it, its award kept as its own
    assert "nay thuộc Trường Chính trị tỉnh Phú Thọ" in register
    assert "Đã thu hồi" in register and "Kê khai thành tích không trung thực" in register  # its revocation
    no_serious_violations(page, "the award register")
    page.screenshot(path=str(SCREENSHOTS / "portal-award-register.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Tải về (XLSX)")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][:3] == ["Năm", "Trường", "Hình thức khen thưởng"]
    assert any(
        r[1] == "Trường Chính trị tỉnh Hòa Bình" and r[6] == "Trường Chính trị tỉnh Phú Thọ" for r in table
    )

    page.click("header nav a:text-is('Thống kê')")
    figures = page.locator("#thong-ke").inner_text()
    country = page.locator("#thong-ke tr.total-row").inner_text().split("\t")
    assert country[0] == "Toàn quốc" and country[-1] == "17", figures  # 17 + 1 supplementary - 1 revoked
    charts = page.locator("figure.chart img")
    assert charts.count() == 2
    drawn = "img => img.decode().then(() => img.naturalWidth, () => 0)"  # 0: the image did not load
    widths = [charts.nth(i).evaluate(drawn) for i in range(2)]
    assert all(width > 0 for width in widths), widths
    svg = page.request.get(running.portal + charts.first.get_attribute("src"))
    assert svg.headers["content-type"].startswith("image/svg+xml") and "Đúng hạn" in svg.text()
    no_serious_violations(page, "the national statistics")
    page.screenshot(path=str(SCREENSHOTS / "portal-statistics.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "portal-statistics-phone.png"))
    page.goto(f"{running.portal}/hoc-vien/khen-thuong/")
    page.screenshot(path=str(SCREENSHOTS / "portal-awards-phone.png"))
    page.close()


def test_each_role_on_the_demonstration_data_reads_names_never_codes(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    people = [
        ("Lê Thị Thu", "thu@hoabinh.invalid", "school_officer", "sch_hoabinh"),
        ("Văn phòng cụm Bắc Trung Bộ", "cum@bactrungbo.invalid", "cluster_head", "cl_2023_bac_trung_bo"),
        ("Văn phòng Tỉnh ủy Hòa Bình", "tinhuy@hoabinh.invalid", "provincial_viewer", "HOABINH"),
    ]
    for name, email, role, tenant in people:
        academy_creates(page, running, name, email, role, tenant)
    found = menu_pages_show_no_code(page, running, ACADEMY_EMAIL)
    hand_over(page)
    outcome = {
        "school_officer": ("/truong/khen-thuong", "#khen-thuong-cua-truong", "school-awards"),
        "cluster_head": ("/cum/de-nghi", "table", "cluster-proposals-decided"),
        "provincial_viewer": ("/tinh/", "#khen-thuong-cua-tinh", "province-awards"),
    }
    for _name, email, role, _tenant in people:
        accept_invitation(page, running, email, "mat-khau-minh-hoa")
        sign_in(page, running.portal, email, "mat-khau-minh-hoa")
        found += menu_pages_show_no_code(page, running, email)
        path, table, shot = outcome[role]
        page.goto(f"{running.portal}{path}")
        shown = page.locator(table).first.inner_text()  # the outcome where each of them looks
        assert "Bằng khen của Giám đốc Học viện" in shown and "16-QĐ/HVCTQG" in shown, shown  # as corrected
        if role != "cluster_head":  # Hòa Bình's certificate, revoked
            assert "Đã thu hồi" in shown and "Kê khai thành tích không trung thực" in shown, shown
        no_serious_violations(page, f"the outcome of the awards for a {role}")
        page.screenshot(path=str(SCREENSHOTS / f"portal-{shot}.png"), full_page=True)
        phone(page, f"portal-{shot}-phone.png")
        with page.expect_download() as download:
            page.click(f"{table} a[href*='/khen-thuong/quyet-dinh-2023-']")
        issued = registry(running, "/awards/2023/decision")
        assert hashlib.sha256(download.value.path().read_bytes()).hexdigest() == issued["paper_sha256"]
        if role == "cluster_head":
            cluster_papers_stay_as_filed(page, running)
            board_cells_name_their_rule(page, running)
        the_guide_for(page, role)
        sign_out(page)
    page.close()
    assert found == [], "\n".join(found)


def the_guide_for(page: Any, role: str) -> None:
    """Every page links the guide: the role's work, the year's steps with its own marked, the letter."""
    page.click("#huong-dan")
    assert page.locator("h1").inner_text() == "Hướng dẫn sử dụng"
    steps = page.locator("#cac-buoc tbody tr")
    assert steps.count() == 9 and "05/03/2023" in steps.first.inner_text()
    assert page.locator("#cac-buoc tr.mine").count() > (0 if role != "provincial_viewer" else -1)
    no_serious_violations(page, f"the guide for a {role}")
    if role == "school_officer":
        page.screenshot(path=str(SCREENSHOTS / "portal-guide.png"), full_page=True)
        phone(page, "portal-guide-phone.png")
        page.click("text=Công văn số 3552-CV/HVCTQG ngày 20/02/2023 của Học viện")
        letter = page.locator("#cong-van").inner_text()
        assert "Số 3552 -CV/HVCTQG" in letter and "trước ngày 05/3/2023" in letter
        assert page.locator("#cong-van strong").count() > 5  # its emphasis kept
        no_serious_violations(page, "the letter")


def board_cells_name_their_rule(page: Any, running: Running) -> None:
    """A board cell that costs a school something says what, and its note names the rule's source."""
    page.goto(f"{running.portal}/cum/")
    late = page.locator("#bang-truong td .rule", has_text="trừ 2 điểm")
    assert late.count() == 1  # the school whose Form 01 came a day late
    legend = page.locator(late.first.locator("a").get_attribute("href")).inner_text()
    assert "Căn cứ: Công văn số 3552-CV/HVCTQG" in legend and "mục I.3" in legend, legend
    assert "Quy định mặc định của hệ thống" in page.locator("#can-cu").inner_text()  # the deductions: ours
    no_serious_violations(page, "the board with its rules")
    page.screenshot(path=str(SCREENSHOTS / "portal-cluster-board-rules.png"), full_page=True)
    phone(page, "portal-cluster-board-rules-phone.png")


def cluster_papers_stay_as_filed(page: Any, running: Running) -> None:
    """Mẫu 06, 07 and 08 as the dossier's filing attached them: the hash shown, the same bytes after a
    member school is renamed."""
    page.goto(f"{running.portal}/cum/mau")
    kept = page.locator("#van-ban-da-nop li")
    assert kept.count() == 3, page.inner_text("main")
    shown = kept.first.locator("code").inner_text()
    with page.expect_download() as first:
        kept.first.locator("a").click()
    before = first.value.path().read_bytes()
    assert hashlib.sha256(before).hexdigest() == shown
    members = registry(running, "/clusters/cl_2023_bac_trung_bo")["member_ids"]
    school = next(s for s in (registry(running, f"/schools/{m}") for m in members) if s["status"] == "active")
    assert school["name"] in "\n".join(
        c.text for t in Document(io.BytesIO(before)).tables for r in t.rows for c in r.cells
    )
    rename(running, school["school_id"], f"{school['name']} (tên mới)")
    page.reload()
    with page.expect_download() as again:
        page.locator("#van-ban-da-nop li a").first.click()
    assert again.value.path().read_bytes() == before
    rename(running, school["school_id"], school["name"])
    no_serious_violations(page, "the papers the cluster's dossier attached")
    page.screenshot(path=str(SCREENSHOTS / "portal-cluster-papers.png"), full_page=True)

    [dossier] = requests.get(  # reopened by the Academy, amended in the portal: its papers rendered anew
        f"{running.urls['submissions']}/filings",
        params={"year": 2023, "form": "HO_SO_CUM", "filer_id": "cl_2023_bac_trung_bo"},
        headers=ADMIN,
        timeout=10,
    ).json()
    requests.post(
        f"{running.urls['submissions']}/filings/{dossier['submission_id']}/reopen",
        json={"reason": "Bổ sung báo cáo tổng kết"},
        headers=ADMIN,
        timeout=10,
    ).raise_for_status()
    page.goto(f"{running.portal}/cum/mau/HO_SO_CUM")
    page.fill("#report_06", "Báo cáo tổng kết đã bổ sung theo yêu cầu của Học viện.")
    page.click("main form button[type=submit]")
    assert "Đã nhận" in page.inner_text("main"), page.inner_text("main")
    page.goto(f"{running.portal}/cum/mau")
    hashes = page.locator("#van-ban-da-nop code").all_inner_texts()
    assert len(hashes) == 3 and hashes[0] != shown  # Mẫu 06 says what the amendment says
    with page.expect_download() as amended:
        page.locator("#van-ban-da-nop li a").first.click()
    content = amended.value.path().read_bytes()
    assert hashlib.sha256(content).hexdigest() == hashes[0]
    assert "Báo cáo tổng kết đã bổ sung" in "\n".join(
        p.text for p in Document(io.BytesIO(content)).paragraphs
    )
    history = requests.get(
        f"{running.urls['submissions']}/filings/{dossier['submission_id']}", headers=ADMIN, timeout=10
    ).json()
    assert len(history["documents"]) == 3, history["documents"]  # replaced, not piled up


def test_a_returned_report_shows_on_the_board_and_the_schools_to_do_with_its_reason_and_day(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="vi-VN", viewport={"width": 1366, "height": 800})
    academy_signs_in(page, running)
    academy_creates(page, running, "Nguyễn Thị Hoa", "hoa@thanhhoa.invalid", "school_officer", "sch_thanhhoa")
    hand_over(page)
    [report] = requests.get(
        f"{running.urls['submissions']}/filings",
        params={"year": 2023, "form": "04", "filer_id": "sch_thanhhoa"},
        headers=ADMIN,
        timeout=10,
    ).json()
    sign_in(page, running.portal, "cum@bactrungbo.invalid", "mat-khau-minh-hoa")  # made by the test above
    page.goto(f"{running.portal}/cum/ho-so/{report['submission_id']}")
    page.fill("#reason", "Bổ sung phụ lục số liệu đào tạo")
    page.click("#tra-lai")
    assert "Đã trả lại hồ sơ" in page.inner_text("main")
    page.goto(f"{running.portal}/cum/")
    row = page.locator("#bang-truong tr", has_text="Thanh Hóa").inner_text()
    assert "Trả lại để bổ sung: Bổ sung phụ lục số liệu đào tạo" in row, row
    assert "Sửa trước hết ngày 25/01/2024" in row  # returned on 15/01, ten days to correct it
    assert "Chờ tiếp nhận" in page.locator("#bang-truong").inner_text()  # what still waits for review
    no_serious_violations(page, "the board with a returned filing")
    page.screenshot(path=str(SCREENSHOTS / "portal-cluster-board-returned.png"), full_page=True)
    sign_out(page)

    accept_invitation(page, running, "hoa@thanhhoa.invalid", "mat-khau-minh-hoa")
    sign_in(page, running.portal, "hoa@thanhhoa.invalid", "mat-khau-minh-hoa")
    page.goto(f"{running.portal}/truong/?nam=2023")
    todo = page.locator("ul.todo").inner_text()
    assert "Trả lại để bổ sung: Bổ sung phụ lục số liệu đào tạo" in todo and "25/01/2024" in todo, todo
    assert page.locator("#nop-04").inner_text() == "Sửa"  # the returned report may be corrected
    assert page.locator("#nop-5\\.1").count() == 0  # the score sheet, past its day and not returned
    assert "Đã quá hạn sửa; cần Học viện mở lại" in todo
    no_serious_violations(page, "the school's to-do with a returned report")
    page.screenshot(path=str(SCREENSHOTS / "portal-todo-returned.png"), full_page=True)
    phone(page, "portal-todo-returned-phone.png")
    sign_out(page)
    page.close()


def test_each_reviewer_has_a_queue_named_by_filer_with_filters_paging_and_accepting_several(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="vi-VN", viewport={"width": 1366, "height": 800})
    academy_signs_in(page, running)
    badge = page.locator("#menu-tiep-nhan .count")
    waiting = int(badge.inner_text())
    assert waiting == 64  # the clusters' filings of 2023 the Academy has not taken in yet
    page.click("#menu-tiep-nhan")
    assert page.locator("h1").inner_text() == "Tiếp nhận hồ sơ năm 2023"
    assert "Trường chưa đăng ký" not in page.inner_text("main")  # a cluster's filing under the cluster's name
    assert page.locator("#hang-doi tbody tr").count() == 25 and page.locator("#trang-sau").count() == 1
    page.select_option("#mau", "02")
    page.select_option("#tinh-trang", "pending")
    page.click("#loc button")
    rows = page.locator("#hang-doi tbody tr")
    expect(rows).to_have_count(8)
    assert "Cụm thi đua" in rows.first.inner_text()
    page.fill("#tim", "bắc trung")
    page.click("#loc button")
    expect(rows).to_have_count(1)
    assert "Bắc Trung Bộ" in rows.first.inner_text()
    page.fill("#tim", "")
    page.click("#loc button")
    boxes = page.locator("#hang-doi input[name=chon]")
    for n in range(3):
        boxes.nth(n).check()
    no_serious_violations(page, "the Academy's review queue")
    page.screenshot(path=str(SCREENSHOTS / "portal-review-queue.png"), full_page=True)
    phone(page, "portal-review-queue-phone.png")
    page.click("#tiep-nhan-da-chon")
    assert "Đã tiếp nhận 3 hồ sơ." in page.inner_text("main")
    assert rows.count() == 5 and int(badge.inner_text()) == waiting - 3  # the filters kept, the count down
    page.click("#tiep-nhan-da-chon")
    assert "Chưa chọn hồ sơ nào để tiếp nhận." in page.inner_text("main")
    hand_over(page)

    sign_in(page, running.portal, "cum@bactrungbo.invalid", "mat-khau-minh-hoa")
    assert int(page.locator("#menu-tiep-nhan .count").inner_text()) == 20  # 21, less the report returned
    page.click("#menu-tiep-nhan")
    queue = page.locator("#hang-doi").inner_text()
    assert "Trường Chính trị tỉnh Thanh Hóa" in queue and "Bổ sung phụ lục số liệu đào tạo" in queue
    assert (
        page.locator("#chon-nam").count() == 0 and page.locator("#cum").count() == 0
    )  # one cluster, one year
    no_serious_violations(page, "the cluster head's review queue")
    sign_out(page)
    page.close()


def results_mails(running: Running) -> list[tuple[str, str]]:
    """Return the subject and body of every results mail the suite has sent."""
    found = []
    for message in mailbox.Maildir(running.mail_dir, create=False):
        subject = str(make_header(decode_header(message["Subject"] or "")))
        if subject.startswith("Kết quả chấm điểm") and not message.is_multipart():
            found.append((subject, message.get_payload(decode=True).decode()))
    return found


def test_every_results_mail_names_its_cluster_and_writes_scores_as_the_portal_does(running) -> None:  # type: ignore[no-untyped-def]
    clusters = [c["name"] for c in registry(running, "/clusters", year=2023, per_page=100)]
    running.wait_until(
        lambda: (
            {c for c in clusters if any(c in subject for subject, _ in results_mails(running))}
            == set(clusters)
        ),
        "a results mail for every cluster",
    )
    for subject, body in results_mails(running):
        assert any(f"của {c} (lần" in subject for c in clusters), subject
        assert not re.search(r"\d\.\d\d điểm", body) and "—." not in body, (
            body
        )  # 99,5 as the portal writes it


def test_a_decided_year_warns_before_anything_is_touched_and_pickers_are_searched(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="vi-VN", viewport={"width": 1366, "height": 800})
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/hoc-vien/quyet-dinh?nam=2023")
    assert "Khen thưởng năm 2023 đã được quyết định" in page.locator("#nam-da-quyet-dinh").inner_text()
    page.fill("#re-tim", "thanh hóa")
    shown = [o for o in page.locator("#re-id option").all() if not o.evaluate("o => o.hidden")]
    assert shown and all("Thanh Hóa" in o.inner_text() for o in shown)
    page.fill("#re-reason", "Bổ sung minh chứng theo đề nghị của trường")
    no_serious_violations(page, "the decisions of a decided year")
    page.screenshot(path=str(SCREENSHOTS / "portal-decisions-decided.png"), full_page=True)
    page.click("#mo-lai button")
    said = page.inner_text("main")
    assert "Đã ghi nhận: mở lại hồ sơ." in said and "không làm thay đổi các quyết định khen thưởng" in said
    page.close()


def test_the_academy_takes_its_lists_away_as_workbooks_a_person_can_read(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(locale="vi-VN")
    academy_signs_in(page, running)

    def workbook(link: str) -> tuple[str, Any]:
        with page.expect_download() as download:
            page.click(link)
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b  # the header stays in view
        assert max(d.width for d in sheet.column_dimensions.values()) > 20  # sized to what it holds
        return download.value.suggested_filename, sheet

    page.click("header nav a:text-is('Toàn quốc')")
    glance = page.locator("#han-sap-toi").inner_text()  # every 2023 deadline is past in January 2024
    assert "Không còn hạn nộp nào trong năm." in glance and "Quá hạn, chưa nộp" in glance
    assert "05/03/2023 — Kế hoạch triển khai phong trào thi đua" in glance and "Yên Bái" in glance, glance
    name, sheet = workbook("#tai-toan-quoc")
    assert name == "Tình hình thi đua toàn quốc năm 2023.xlsx" and sheet.max_row == 1 + 8
    assert sheet["A1"].value == "Cụm thi đua" and sheet["B2"].value > 0
    page.click("#menu-tiep-nhan")
    page.select_option("#mau", "HO_SO_CUM")
    page.click("#loc button")
    name, sheet = workbook("#tai-hang-doi")
    assert sheet.max_row == 1 + 8 and all(
        r[2] == "Hồ sơ tổng kết của cụm (Mẫu số 06, 07, 08, 09)"
        for r in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert isinstance(sheet["D2"].value, datetime) and sheet["D2"].number_format == "DD/MM/YYYY HH:MM"
    page.click("header nav a:text-is('Thống kê')")
    name, sheet = workbook("#tai-thong-ke")
    assert (
        name == "Thống kê phong trào thi đua năm 2023.xlsx"
        and sheet.cell(sheet.max_row, 1).value == "Toàn quốc"
    )
    page.click("header nav a:text-is('Tài khoản')")
    schools = page.locator("#tenant optgroup[data-role=school_officer] option")
    expect(schools).to_have_count(68)  # the page may still be loading when the click returns
    offered = schools.all_inner_texts()
    assert len(offered) == len(set(offered)) == 68  # the schools in place today, each name once
    page.fill("#tim-don-vi", "lâm đồng")  # a long picker narrowed by typing
    visible = page.locator("#tenant option").evaluate_all("os => os.filter(o => !o.hidden).map(o => o.text)")
    assert visible and all("Lâm Đồng" in name for name in visible), visible
    name, sheet = workbook("#tai-tai-khoan")
    emails = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ACADEMY_EMAIL in emails and "password" not in " ".join(str(c.value) for c in sheet[1]).lower()
    page.click("header nav a:text-is('Sổ khen thưởng')")
    name, sheet = workbook("text=Tải về (XLSX)")
    assert isinstance(sheet["F2"].value, datetime)  # the day the decision was signed, as a date
    page.close()


def test_the_academy_exports_and_erases_one_officers_data_and_every_page_then_reads_erased(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    listed = requests.get(
        f"{running.urls['submissions']}/filings",
        params={"year": 2023, "form": "03"},
        headers=ADMIN,
        timeout=10,
    ).json()[0]
    erased, kept = listed["payload"]["officers"][:2]
    page = browser.new_page(locale="vi-VN")
    academy_signs_in(page, running)
    page.click("header nav a:text-is('Dữ liệu cá nhân')")
    assert page.locator("h1").inner_text() == "Dữ liệu cá nhân"
    assert page.locator("#nguoi-duoc-neu-ten tbody tr").count() >= 8
    page.fill("#tim", erased["email"].upper())
    page.click("#tim-nguoi button")
    rows = page.locator("#nguoi-duoc-neu-ten tbody tr")
    expect(rows).to_have_count(1)
    assert "Cán bộ phụ trách thi đua (Mẫu số 03)" in rows.inner_text()
    no_serious_violations(page, "the people the filings name")
    page.screenshot(path=str(SCREENSHOTS / "portal-personal-data.png"), full_page=True)
    page.click(f"#nguoi-duoc-neu-ten a:text-is('{erased['name']}')")
    held = page.locator("#du-lieu-dang-luu").inner_text()
    assert erased["email"] in held and erased["phone"] in held and "2023" in held
    assert "Mẫu số 03" in page.locator("#ho-so-neu-ten").inner_text()
    no_serious_violations(page, "what is held about one person")
    with page.expect_download() as download:
        page.click("#tai-ve")
    export = json.loads(download.value.path().read_text())
    assert export["fields"]["name"] == erased["name"] and export["events"][0]["type"] == "OfficersListed"
    page.fill("#ly-do-xoa", "Theo đề nghị của người được nêu tên")
    page.click("button:has-text('Xóa dữ liệu cá nhân')")  # not confirmed: nothing erased
    assert "đánh dấu xác nhận" in page.locator("[role=alert]").inner_text()
    page.fill("#ly-do-xoa", "Theo đề nghị của người được nêu tên")
    page.check("#xac-nhan-xoa")
    page.screenshot(path=str(SCREENSHOTS / "portal-personal-erase.png"), full_page=True)
    page.click("button:has-text('Xóa dữ liệu cá nhân')")
    assert "Đã xóa dữ liệu cá nhân của người này" in page.inner_text("main")
    assert "Lý do: Theo đề nghị của người được nêu tên" in page.inner_text("main")
    assert erased["email"] not in page.inner_text("main")
    page.goto(f"{running.portal}/hoc-vien/ho-so/{listed['submission_id']}")
    shown = page.inner_text("main")
    assert "[đã xóa]" in shown and erased["name"] not in shown and erased["email"] not in shown
    assert kept["name"] in shown and kept["email"] in shown, "the other officers are untouched"
    page.screenshot(path=str(SCREENSHOTS / "portal-personal-erased.png"), full_page=True)
    page.click("header nav a:text-is('Kế hoạch thi đua')")
    assert "được lưu 5 năm sau khi năm thi đua kết thúc" in page.inner_text("main")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#menu-toggle")  # on a phone the menu opens from its button
    page.click("header nav a:text-is('Dữ liệu cá nhân')")
    page.screenshot(path=str(SCREENSHOTS / "portal-personal-phone.png"))
    page.close()

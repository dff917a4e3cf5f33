"""The portal in a real headless Chromium against the running suite, one journey per kind of person.

The suite runs as separate processes on the embedded default (registry, submissions, scoring and
notifications APIs and workers, the portal, and an SMTP catcher for the invitations). Each journey signs
in through the pages and ends in a filing or decision that the services record and the right board shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, wait_for
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

pytestmark = pytest.mark.e2e
CLUSTER = "cl_2023_trung_du_bac"
OFFICERS = [
    {
        "school_id": "sch_yenbai",
        "name": "Nguyễn Thị Hà",
        "position": "Phó Hiệu trưởng",
        "email": "ha@yenbai.invalid",
    },
    {
        "school_id": "sch_phutho",
        "name": "Trần Văn Bình",
        "position": "Chánh Văn phòng",
        "email": "binh@phutho.invalid",
    },
]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with portal_suite(tmp_path_factory.mktemp("portal-suite"), "2023-03-04T10:00:00+07:00") as suite:
        officers = {"officers": [{**o, "phone": "0216 3850 000"} for o in OFFICERS]}
        listed = requests.post(
            f"{suite.urls['submissions']}/filings",
            json={"year": 2023, "form": "03", "cluster_id": CLUSTER, "payload": officers},
            headers=ADMIN,
            timeout=10,
        )
        assert listed.status_code == 201, listed.text
        yield suite


def test_invited_officer_files_form_01_and_the_cluster_head_sees_it_on_the_board(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    no_serious_violations(page, "overview")
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.locator("#can-bo-mau-03 tr", has_text="ha@yenbai.invalid").locator("button").click()
    assert "Đã gửi thư mời tới ha@yenbai.invalid" in page.inner_text("main")
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")  # a cluster head without a cluster is refused
    page.fill("#full_name", "Không có cụm")
    page.fill("#email", "khong-co@cum.invalid")
    page.select_option("#tenant", "sch_hoabinh")
    page.select_option("#role", "cluster_head")  # the picker now offers clusters only: a school is undone
    assert page.input_value("#tenant") == ""
    page.click("#tao-tai-khoan button")
    assert "Cụm trưởng cần chọn cụm thi đua của mình" in page.inner_text("main")
    assert "khong-co@cum.invalid" not in page.inner_text("main")  # and no account was made
    academy_creates(page, running, "Văn phòng Cụm Trung du", "cum@hoabinh.invalid", "cluster_head", CLUSTER)
    no_serious_violations(page, "accounts")
    page.screenshot(path=str(SCREENSHOTS / "portal-accounts.png"), full_page=True)
    hand_over(page)

    accept_invitation(page, running, "ha@yenbai.invalid", "mat-khau-cua-ha")
    token = running.invitation_path("ha@yenbai.invalid").rsplit("/", 1)[-1]
    access_log = (running.mail_dir.parent / "portal-api.log").read_text()
    assert "/loi-moi/***" in access_log and token not in access_log  # the one-time link stays out of logs
    sign_in(page, running.portal, "ha@yenbai.invalid", "mat-khau-cua-ha")
    assert page.url.endswith("/truong/")
    todo = page.inner_text("main")
    assert "Mẫu số 01 – Kế hoạch triển khai phong trào thi đua và đăng ký thi đua" in todo
    assert "Hạn nộp: 05/03/2023" in todo and "Chưa nộp" in todo
    no_serious_violations(page, "todo")
    page.click("#nop-01")
    page.click("#gui")  # nothing typed: the service's field errors come back beside the fields
    assert page.locator("#err-summary").inner_text() == "Không được để trống và không quá dài."
    assert running.filings(year=2023, form="01", filer_id="sch_yenbai") == []  # and nothing was filed
    no_serious_violations(page, "form 01 with errors")
    page.fill("#summary", "Kế hoạch triển khai phong trào thi đua năm 2023 của trường.")
    page.fill("#registered_titles", "Cờ thi đua của Học viện\nTập thể Lao động xuất sắc")
    page.set_input_files(
        "#document", {"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    page.click("#gui")
    assert "Đã nhận Mẫu số 01" in page.inner_text("main") and "(đúng hạn)" in page.inner_text("main")
    [filed] = running.filings(year=2023, form="01", filer_id="sch_yenbai")
    assert filed["payload"]["registered_titles"] == ["Cờ thi đua của Học viện", "Tập thể Lao động xuất sắc"]
    assert filed["on_time"] is True
    assert len(filed["documents"]) == 1  # the upload went to the submissions service with the filing

    page.goto(f"{running.portal}/truong/mau/5.1")  # the score sheet: maxima, field errors, running total
    assert page.locator("#phieu-cham").inner_text().count("Điểm tối đa") >= 1
    for field in page.locator("#phieu-cham input.points").all():
        field.fill("1")
    page.fill("#score\\.CHU_DONG\\.1", "9,5")  # the criterion's maximum is 8
    assert page.locator("#tong-diem").inner_text() == "21,5"  # 12 criteria and the bonus at 1, one at 9.5
    page.click("#gui")
    assert "vượt điểm tối đa" in page.locator("#err-CHU_DONG\\.1").inner_text()
    assert running.filings(year=2023, form="5.1", filer_id="sch_yenbai") == []
    page.fill("#score\\.CHU_DONG\\.1", "7,5")
    page.click("#gui")
    [sheet] = running.filings(year=2023, form="5.1", filer_id="sch_yenbai")
    assert {"criterion": "CHU_DONG.1", "points": 7.5} in sheet["payload"]["scores"]
    wait_for(
        lambda: (
            "Đã nhận: «Mẫu số 01"
            in (page.goto(f"{running.portal}/truong/hop-thu") and page.inner_text("main"))
        ),
        "the receipt of Form 01 in the school's inbox",
    )
    page.goto(f"{running.portal}/cum/")  # a school officer may not see the cluster's pages
    assert "Không có quyền" in page.inner_text("main")
    sign_out(page)

    accept_invitation(page, running, "cum@hoabinh.invalid", "mat-khau-cum-truong")
    sign_in(page, running.portal, "cum@hoabinh.invalid", "mat-khau-cum-truong")
    assert page.url.endswith("/cum/")
    row = page.locator('tr[data-school="sch_yenbai"]')
    assert row.locator("td").first.inner_text().startswith("Đúng hạn")
    assert page.locator('tr[data-school="sch_phutho"] td').first.inner_text().startswith("Chưa nộp")
    no_serious_violations(page, "cluster board")
    page.screenshot(path=str(SCREENSHOTS / "portal-cluster-board.png"), full_page=True)
    page.close()


def test_the_cluster_head_reviews_a_filing_and_downloads_the_drafts(browser, running) -> None:  # type: ignore[no-untyped-def]
    requests.post(
        f"{running.urls['submissions']}/filings",
        json={
            "year": 2023,
            "form": "DANG_KY_CUM",
            "school_id": "sch_phutho",
            "payload": {"activities": ["Hội thi"]},
        },
        headers=ADMIN,
        timeout=10,
    ).raise_for_status()
    page = browser.new_page()
    sign_in(page, running.portal, "cum@hoabinh.invalid", "mat-khau-cum-truong")
    [participation] = running.filings(year=2023, form="DANG_KY_CUM", filer_id="sch_phutho")
    page.goto(f"{running.portal}/cum/ho-so/{participation['submission_id']}")
    page.click("#tra-lai")  # returning without a reason is refused, and nothing changes
    assert "Cần ghi rõ lý do" in page.inner_text("main")
    assert (
        running.filings(year=2023, form="DANG_KY_CUM", filer_id="sch_phutho")[0]["review_state"] == "pending"
    )
    page.fill("#reason", "Bổ sung danh sách hoạt động")
    page.click("#tra-lai")
    assert "Đã trả lại hồ sơ" in page.inner_text("main")
    returned = running.filings(year=2023, form="DANG_KY_CUM", filer_id="sch_phutho")[0]
    assert (returned["review_state"], returned["review_reason"]) == (
        "returned",
        "Bổ sung danh sách hoạt động",
    )
    with page.expect_download() as download:
        page.evaluate("location.href = '/cum/van-ban/06.docx'")
    assert download.value.suggested_filename.startswith("Dự thảo Mẫu số 06 năm 2023 - Cụm thi đua")  # no id
    document = pytest.importorskip("docx").Document(download.value.path())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in [c.text for c in document.tables[0].rows[0].cells]
    page.goto(f"{running.portal}/cum/mau")
    no_serious_violations(page, "cluster forms")
    page.close()


def test_the_academy_extends_a_deadline_only_with_a_reason(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/hoc-vien/quyet-dinh")
    no_serious_violations(page, "decisions")
    page.select_option("#ext-code", "YEAR_END_REPORT")
    page.fill("#ext-due", "2023-11-20")
    page.click("#gia-han button")
    assert "Cần ghi rõ lý do" in page.inner_text("main")
    campaign = requests.get(f"{running.urls['registry']}/campaigns/2023", headers=ADMIN, timeout=10).json()
    due = {d["code"]: d["due"] for d in campaign["content"]["deadlines"]}
    assert due["YEAR_END_REPORT"] == "2023-11-05"
    page.select_option("#ext-code", "YEAR_END_REPORT")
    page.fill("#ext-due", "2023-11-20")
    page.fill("#ext-reason", "Lùi hạn theo đề nghị của các cụm")
    page.click("#gia-han button")
    assert "Đã ghi nhận: gia hạn" in page.inner_text("main")
    campaign = requests.get(f"{running.urls['registry']}/campaigns/2023", headers=ADMIN, timeout=10).json()
    due = {d["code"]: d["due"] for d in campaign["content"]["deadlines"]}
    assert due["YEAR_END_REPORT"] == "2023-11-20"
    page.fill("#ext-tim", "Yên Bái")  # one school alone: the picker narrowed by its name
    page.select_option("#ext-filer", label="Trường Chính trị tỉnh Yên Bái")
    page.select_option("#ext-code", "YEAR_END_REPORT")
    page.fill("#ext-due", "2023-11-30")
    page.fill("#ext-reason", "Trường bị ảnh hưởng bởi lũ")
    page.click("#gia-han button")
    assert "Đã ghi nhận: gia hạn" in page.inner_text("main")
    own = page.inner_text("#gia-han-rieng")
    assert "Trường Chính trị tỉnh Yên Bái" in own and "30/11/2023" in own and "sch_" not in own
    page.locator("#gia-han").screenshot(path=str(SCREENSHOTS / "portal-extension-one-school.png"))
    campaign = requests.get(f"{running.urls['registry']}/campaigns/2023", headers=ADMIN, timeout=10).json()
    report = next(d for d in campaign["content"]["deadlines"] if d["code"] == "YEAR_END_REPORT")
    assert (report["due"], list(report["extended_for"].values())) == ("2023-11-20", ["2023-11-30"])
    wait_for(
        lambda: (
            "20/11/2023" in (page.goto(f"{running.portal}/hoc-vien/ke-hoach") and page.inner_text("main"))
        ),
        "the campaign page to show the new due date",
    )
    wait_for(
        lambda: (
            "Gia hạn riêng đến 30/11/2023"
            in (page.goto(f"{running.portal}/hoc-vien/cum/{CLUSTER}") and page.inner_text("main"))
        ),
        "the cluster's board to show the school's own extension",
    )
    extended = page.locator("tr", has=page.locator("span.extended"))
    expect(extended).to_have_count(1)  # Yên Bái's row alone: no other school was given the later date
    assert "Yên Bái" in extended.inner_text() and "sch_" not in extended.inner_text()
    extended.screenshot(path=str(SCREENSHOTS / "portal-board-extension-one-school.png"))
    page.close()


def test_the_provincial_viewer_reads_its_school_and_nothing_else(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    academy_creates(
        page, running, "Thường trực Tỉnh ủy Yên Bái", "tinhuy@yenbai.invalid", "provincial_viewer", "YENBAI"
    )
    hand_over(page)
    accept_invitation(page, running, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    sign_in(page, running.portal, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    assert page.url.endswith("/tinh/")
    text = page.inner_text("main")
    assert "Trường Chính trị tỉnh Yên Bái" in text and "Phú Thọ" not in text
    assert (
        page.locator("h1").inner_text() == "Các trường của tỉnh Yên Bái — năm 2023" and "YENBAI" not in text
    )
    assert "Mẫu số 09: không thuộc đề nghị khen thưởng của cụm" in text
    no_serious_violations(page, "province")
    for path in ("/cum/", "/hoc-vien/", "/truong/"):
        page.goto(running.portal + path)
        assert "Không có quyền" in page.inner_text("main")
    page.close()


def test_a_form_posted_without_its_csrf_token_is_refused(running) -> None:  # type: ignore[no-untyped-def]
    answer = requests.post(
        f"{running.portal}/dang-nhap",
        data={"email": ACADEMY_EMAIL, "password": running.admin_password},
        timeout=10,
    )
    assert answer.status_code == 400 and "Biểu mẫu hết hạn" in answer.text


def test_the_school_to_do_page_fits_a_phone(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    sign_in(page, running.portal, "ha@yenbai.invalid", "mat-khau-cua-ha")
    assert page.url.endswith("/truong/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    assert not page.locator("#dang-xuat").is_visible()  # the menu folded behind one button
    report = page.locator("ul.todo li", has_text="Mẫu số 04").inner_text()  # its own day, given earlier
    assert "30/11/2023" in report and "gia hạn riêng" in report and "20/11/2023" in report
    page.screenshot(path=str(SCREENSHOTS / "portal-todo-phone.png"), full_page=True)
    page.click("#menu-toggle")
    assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
    for selector in ("#nop-01", "#dang-xuat", "header nav a:text-is('Hộp thư')"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "portal-menu-phone.png"))
    page.close()


def test_wrong_passwords_slow_one_browser_and_the_officer_resets_the_password_by_mail(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.locator("#can-bo-mau-03 tr", has_text="binh@phutho.invalid").locator("button").click()
    hand_over(page)
    accept_invitation(page, running, "binh@phutho.invalid", "mat-khau-cua-binh")
    page.goto(f"{running.portal}/dang-nhap")
    page.screenshot(path=str(SCREENSHOTS / "portal-login.png"), full_page=True)
    answers = set()
    for attempt in range(5):
        sign_in(page, running.portal, "binh@phutho.invalid", f"sai-mat-khau-{attempt}")
        answers.add(page.locator("div.error").inner_text())
    sign_in(page, running.portal, "khong-co-ai@phutho.invalid", "sai-mat-khau")  # no such account
    answers.add(page.locator("div.error").inner_text())
    assert len(answers) == 1 and "tạm khóa" not in answers.pop()  # one answer, no word of a lock
    sign_in(page, running.portal, "binh@phutho.invalid", "mat-khau-cua-binh")  # right, but this browser waits
    assert page.url.endswith("/dang-nhap")
    no_serious_violations(page, "login")
    page.click("#quen-mat-khau")
    no_serious_violations(page, "forgot password")
    page.fill("#email", "Binh@PhuTho.invalid")
    page.click("#gui-lien-ket")
    assert "Nếu địa chỉ này có tài khoản" in page.inner_text("main")
    wait_for(lambda: _has_link(running, "binh@phutho.invalid"), "the reset e-mail")
    page.goto(running.portal + running.link_path("binh@phutho.invalid", "dat-lai-mat-khau"))
    page.fill("#password", "mat-khau-moi-cua-binh")
    page.fill("#confirmation", "mat-khau-moi-cua-binh")
    page.click("#dat-mat-khau")
    assert "Mật khẩu đã được đặt" in page.inner_text("main")
    sign_in(page, running.portal, "binh@phutho.invalid", "mat-khau-moi-cua-binh")
    assert page.url.endswith("/truong/"), page.inner_text("main")
    reset = running.link_path("binh@phutho.invalid", "dat-lai-mat-khau")
    page.goto(running.portal + reset)
    assert "Liên kết này không hợp lệ hoặc đã được dùng" in page.inner_text("main")  # spent
    access_log = (running.mail_dir.parent / "portal-api.log").read_text()
    assert "/dat-lai-mat-khau/***" in access_log and reset.rsplit("/", 1)[-1] not in access_log
    page.goto(running.portal + "/loi-moi/khong-phai-lien-ket")
    assert "Liên kết này không hợp lệ hoặc đã được dùng" in page.inner_text("main")
    page.close()


def _has_link(running: Running, email: str) -> bool:
    try:
        return bool(running.link_path(email, "dat-lai-mat-khau"))
    except AssertionError:
        return False


def test_a_session_cookie_replayed_after_sign_out_opens_nothing(browser, running) -> None:  # type: ignore[no-untyped-def]
    officer = browser.new_context()
    page = officer.new_page()
    sign_in(page, running.portal, "ha@yenbai.invalid", "mat-khau-cua-ha")
    assert page.url.endswith("/truong/")
    stolen = officer.cookies()
    thief = browser.new_context()
    thief.add_cookies(stolen)
    other = thief.new_page()
    other.goto(f"{running.portal}/bao-mat/")
    assert "Bảo mật tài khoản" in other.inner_text("main")  # the copy works while the session lives
    no_serious_violations(other, "account security")
    other.screenshot(path=str(SCREENSHOTS / "portal-security.png"), full_page=True)
    sign_out(page)
    other.goto(f"{running.portal}/bao-mat/")
    assert "/dang-nhap" in other.url and "Bảo mật tài khoản" not in other.inner_text("main")
    fresh = browser.new_context()
    fresh.add_cookies(stolen)
    replay = fresh.new_page()
    replay.goto(f"{running.portal}/truong/")
    assert "/dang-nhap" in replay.url
    for context in (officer, thief, fresh):
        context.close()


def test_pages_forbid_framing_and_run_only_their_own_script(running) -> None:  # type: ignore[no-untyped-def]
    answer = requests.get(f"{running.portal}/dang-nhap", timeout=10)
    policy = answer.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    )
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in answer.text and " style=" not in answer.text


def test_the_academy_disables_an_account_and_its_open_session_ends(browser, running) -> None:  # type: ignore[no-untyped-def]
    viewer = browser.new_context()
    their_page = viewer.new_page()
    sign_in(their_page, running.portal, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    assert their_page.url.endswith("/tinh/")
    academy = browser.new_context()
    page = academy.new_page()
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.locator('tr[data-email="tinhuy@yenbai.invalid"] button.khoa').click()
    assert "Đã khóa tài khoản" in page.inner_text("main")
    assert "Đã khóa" in page.locator('tr[data-email="tinhuy@yenbai.invalid"]').inner_text()
    their_page.goto(f"{running.portal}/tinh/")
    assert "/dang-nhap" in their_page.url  # ended at once, not at the cookie's expiry
    sign_in(their_page, running.portal, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    assert their_page.url.endswith("/dang-nhap")
    for context in (viewer, academy):
        context.close()


def test_the_academy_reviews_form_01_which_the_cluster_head_reads_without_buttons(browser, running) -> None:  # type: ignore[no-untyped-def]
    [plan] = running.filings(year=2023, form="01", filer_id="sch_yenbai")
    page = browser.new_page()
    sign_in(page, running.portal, "cum@hoabinh.invalid", "mat-khau-cum-truong")
    page.goto(f"{running.portal}/cum/ho-so/{plan['submission_id']}")
    shown = page.inner_text("main")
    assert page.locator("#tiep-nhan").count() == 0  # Form 01 goes to the Academy, not to the cluster head
    assert "ke-hoach.pdf" in page.locator("#tai-lieu").inner_text()  # the attachment, by its file name
    assert "Nguyễn Thị Hà (Cán bộ thi đua của trường)" in shown  # who filed it, by name
    assert "school_officer" not in shown and "portal-" not in shown and "sch_" not in shown
    with page.expect_download() as download:
        page.click("#tai-lieu a")
    assert download.value.suggested_filename == "ke-hoach.pdf"
    sign_out(page)

    academy_signs_in(page, running)
    page.click("#menu-tiep-nhan")
    row = page.locator("#hang-doi tbody tr", has_text="Yên Bái")
    assert "Chờ tiếp nhận" in row.inner_text() and "Trung du" in row.inner_text()
    no_serious_violations(page, "the Academy's Form 01 reviews")
    row.locator("a").click()
    page.fill("#reason", "Bổ sung chỉ tiêu đăng ký của các khoa, phòng")
    no_serious_violations(page, "a Form 01 to review")
    page.screenshot(path=str(SCREENSHOTS / "portal-academy-review.png"), full_page=True)
    page.click("#tra-lai")
    assert "Đã trả lại hồ sơ" in page.inner_text("main")
    returned = running.filings(year=2023, form="01", filer_id="sch_yenbai")[0]
    assert (returned["review_state"], returned["review_reason"]) == (
        "returned",
        "Bổ sung chỉ tiêu đăng ký của các khoa, phòng",
    )
    assert page.locator("#tra-lai").count() == 0  # reviewed: no second decision offered
    page.close()


def test_every_page_of_every_menu_names_things_and_shows_no_code(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    found: list[str] = []
    for who in ("ha@yenbai.invalid", "cum@hoabinh.invalid", ACADEMY_EMAIL):
        if who == ACADEMY_EMAIL:
            academy_signs_in(page, running)
        else:
            sign_in(
                page,
                running.portal,
                who,
                {"ha@yenbai.invalid": "mat-khau-cua-ha"}.get(who, "mat-khau-cum-truong"),
            )
        found += menu_pages_show_no_code(page, running, who)
        if who == ACADEMY_EMAIL:
            hand_over(page)  # the Academy's session goes on for the later journeys
        else:
            sign_out(page)
    page.close()
    assert found == [], "\n".join(found)


def test_the_academy_opens_2024_from_2023_and_carries_the_clusters_forward(browser, running) -> None:  # type: ignore[no-untyped-def]
    """Last in this module: 2024 opened, pages still open on 2023 (the year with work) until 2024 has any."""
    page = browser.new_page(locale="vi-VN")  # dates typed as a Vietnamese browser shows them
    academy_signs_in(page, running)
    page.click("text=Năm mới")
    assert page.locator("h1").inner_text() == "Mở năm thi đua 2024"
    targets = page.locator("#chi-tieu").inner_text()
    assert "từ 80% trở lên" in targets and "Số đạt danh hiệu Lao động tiên tiến" in targets
    assert "T1" not in targets and "HOI_NGHI_TONG_KET" not in page.inner_text("main")
    assert page.input_value("#due\\.PLAN") == "2024-03-05"
    no_serious_violations(page, "opening a year")
    page.screenshot(path=str(SCREENSHOTS / "portal-open-year.png"), full_page=True)
    page.fill("#theme", "")
    page.click("button:has-text('Mở năm thi đua 2024')")
    assert "Cần ghi chủ đề" in page.inner_text("main")  # refused on the page; nothing was opened
    assert (
        requests.get(f"{running.urls['registry']}/campaigns/2024", headers=ADMIN, timeout=10).status_code
        == 404
    )
    page.fill("#theme", "Đoàn kết - Đổi mới - Chất lượng - Hiệu quả")
    page.fill("#due\\.PLAN", "2024-03-08")
    assert page.input_value("#quota\\.co_thi_dua") == "6"  # last year's quotas, to change if need be
    page.fill("#quota\\.bang_khen", "10")
    page.click("button:has-text('Mở năm thi đua 2024')")
    assert "Đã mở năm thi đua 2024" in page.inner_text("main"), page.inner_text("main")[:600]
    opened = requests.get(f"{running.urls['registry']}/campaigns/2024", headers=ADMIN, timeout=10).json()
    assert opened["content"]["theme"] == "Đoàn kết - Đổi mới - Chất lượng - Hiệu quả"
    assert next(d for d in opened["content"]["deadlines"] if d["code"] == "PLAN")["due"] == "2024-03-08"
    assert opened["content"]["award_rules"]["national_quotas"] == {"co_thi_dua": 6, "bang_khen": 10}

    assert page.url.endswith("/hoc-vien/nam-moi/cum?nam=2024")
    assert "Chưa có đề cử" in page.locator("#de-cu").inner_text()  # no dossier nominated anyone in 2023
    no_serious_violations(page, "carrying the clusters forward")
    page.click("button:has-text('Chuyển 8 cụm sang năm 2024')")
    assert "Đã chuyển 8 cụm sang năm 2024" in page.inner_text("main")
    assert "8 cụm cần Học viện giao Cụm trưởng, Cụm phó" in page.inner_text("main")
    first = page.locator("section.card").first
    assert first.locator("select[name=head_school_id]").input_value() == ""  # nothing chosen beforehand
    first.locator("select[name=head_school_id]").select_option(index=1)
    first.locator("select[name=deputy_school_ids]").first.select_option(index=1)  # the head again
    first.locator("details input[name=decision]").fill("QĐ 15/QĐ-HVCTQG")
    first.locator("details button:has-text('Giao')").click()
    assert "Cụm trưởng và các Cụm phó phải là những trường khác nhau." in page.inner_text("main")
    first = page.locator("section.card").first
    first.locator("select[name=head_school_id]").select_option(index=1)
    first.locator("select[name=deputy_school_ids]").first.select_option(index=2)
    first.locator("details input[name=decision]").fill("QĐ 15/QĐ-HVCTQG")
    no_serious_violations(page, "clusters carried forward")
    page.screenshot(path=str(SCREENSHOTS / "portal-carry-clusters.png"), full_page=True)
    first.locator("details button:has-text('Giao')").click()
    assert "Đã giao Cụm trưởng, Cụm phó" in page.inner_text("main")
    formed = requests.get(
        f"{running.urls['registry']}/clusters", params={"year": 2024}, headers=ADMIN, timeout=10
    )
    led = [c for c in formed.json() if c["head_school_id"]]
    assert len(formed.json()) == 8 and len(led) == 1 and len(led[0]["deputy_school_ids"]) == 1
    assert "7 cụm cần Học viện giao" in page.inner_text("main")

    for item, heading in (("Toàn quốc", "Tình hình thi đua toàn quốc năm"), ("Tài khoản", "Tài khoản")):
        page.click(f"header nav a:text-is('{item}')")  # nothing filed in 2024 yet: the work is in 2023
        assert page.locator("#nam").input_value() == "2023" and heading in page.locator("h1").inner_text()
    page.click("header nav a:text-is('Toàn quốc')")
    assert page.locator("h1").inner_text() == "Tình hình thi đua toàn quốc năm 2023"
    assert "Kế hoạch triển khai phong trào thi đua" in page.locator("#han-nop").inner_text()  # its deadlines
    page.select_option("#nam", "2024")
    page.click("#chon-nam button")
    assert page.locator("h1").inner_text() == "Tình hình thi đua toàn quốc năm 2024"
    assert "08/03/2024" in page.locator("#han-nop").inner_text()
    no_serious_violations(page, "the overview with its year picker and deadlines")
    page.screenshot(path=str(SCREENSHOTS / "portal-overview.png"), full_page=True)
    page.close()


def test_the_academy_confirms_its_password_and_code_before_renewing_recovery_codes(browser, running) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.portal_suite import NEW_ACADEMY_PASSWORD

    page = browser.new_page()
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/bao-mat/")
    assert page.locator("#ma-du-phong-moi").count() == 0  # a live session alone changes nothing
    no_serious_violations(page, "account security")
    page.screenshot(path=str(SCREENSHOTS / "portal-security-confirm.png"), full_page=True)
    page.fill("#password", "khong-phai-mat-khau")
    page.fill("#code", running.next_code())
    page.click("#xac-nhan")
    assert "không đúng" in page.inner_text("main")
    page.fill("#password", NEW_ACADEMY_PASSWORD)
    page.fill("#code", running.next_code())
    page.click("#xac-nhan")
    assert "Đã xác nhận" in page.inner_text("main")
    page.screenshot(path=str(SCREENSHOTS / "portal-security-confirmed.png"), full_page=True)
    page.click("#ma-du-phong-moi")
    expect(page.locator("#ma-du-phong li")).to_have_count(10)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{running.portal}/bao-mat/")
    page.screenshot(path=str(SCREENSHOTS / "portal-security-phone.png"), full_page=True)
    page.close()


def test_the_erasure_page_names_the_account_of_the_same_address_and_touches_it_only_if_ticked(
    browser, running
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    academy_signs_in(page, running)
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    if page.locator("tr[data-email='ha@yenbai.invalid']").count() == 0:  # run alone: her account first
        academy_creates(page, running, "Nguyễn Thị Hà", "ha@yenbai.invalid", "school_officer", "sch_yenbai")
    page.goto(f"{running.portal}/hoc-vien/du-lieu-ca-nhan/?tim=ha@yenbai.invalid")
    page.click("#nguoi-duoc-neu-ten a:text-is('Nguyễn Thị Hà')")
    account = page.locator("#tai-khoan-cung-dia-chi").inner_text()
    assert "Cán bộ thi đua của trường" in account and "Trường Chính trị tỉnh Yên Bái" in account
    assert not page.locator("#an-danh-tai-khoan").is_checked()  # nothing reaches the account by default
    assert "Yên Bái" in page.locator("label[for=an-danh-tai-khoan]").inner_text()
    no_serious_violations(page, "erasure with an account of the same address")
    page.screenshot(path=str(SCREENSHOTS / "portal-personal-erase-account.png"), full_page=True)
    page.close()

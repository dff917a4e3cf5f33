"""The portal in a real headless Chromium against the running suite, one journey per kind of person.

The suite runs as separate processes on the embedded default (registry, submissions, scoring and
notifications APIs and workers, the portal, and an SMTP catcher for the invitations). Each journey signs
in through the pages and ends in a filing or decision that the services record and the right board shows.
"""

from __future__ import annotations

import mailbox
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.auth import mint_token
from tests.browser.conftest import SCREENSHOTS, wait_for
from tests.e2e.processes import Suite, free_port
from tests.factories import TEST_SECRET

pytestmark = pytest.mark.e2e
CLUSTER = "cl_2023_trung_du_bac"
ACADEMY_EMAIL = "vu.cactruongchinhtri@hcma.vn"
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'an', 'academy_admin')}"}
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
SERIOUS = ("serious", "critical")


class Running:
    """The suite's URLs, its mail directory, and the first Academy account's password."""

    def __init__(self, urls: dict[str, str], mail_dir: Path, admin_password: str):
        self.urls = urls
        self.portal = urls["portal"]
        self.mail_dir = mail_dir
        self.admin_password = admin_password

    def invitation_path(self, email: str) -> str:
        """Return the path of the newest invitation link sent to an address."""
        found: list[str] = []
        for message in mailbox.Maildir(self.mail_dir, create=False):
            if email in (message["To"] or "") and not message.is_multipart():
                body = message.get_payload(decode=True).decode()
                found += re.findall(r"https?://[^/\s]+(/loi-moi/\S+)", body)
        assert found, f"no invitation to {email}"
        return found[-1]

    def filings(self, **query: Any) -> list[dict[str, Any]]:
        """Return filings through the API, as the Academy reads them."""
        answer = requests.get(f"{self.urls['submissions']}/filings", params=query, headers=ADMIN, timeout=10)
        answer.raise_for_status()
        return list(answer.json())


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("portal-suite")
    smtp_port = free_port()
    suite = Suite(
        {
            "THIDUA_BUS_URL": f"file:{home / 'eventlog.sqlite'}",
            "THIDUA_DATA_DIR": str(home),
            "THIDUA_JWT_SECRET": TEST_SECRET,
            "THIDUA_CLOCK_AT": "2023-03-04T10:00:00+07:00",
            "SUBMISSIONS_DOCUMENTS_DIR": str(home / "documents"),
            "SMTP_PORT": str(smtp_port),
            "NOTIFY_INTERVAL": "0.5",
        },
        home,
    )
    catcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{smtp_port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(home / "mail"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for service in ("registry", "submissions", "scoring", "notifications", "portal"):
            suite.migrate(service)
        suite.run_role("registry", "seed")
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
        suite.wait_until(
            lambda: (
                requests.get(
                    f"{urls['submissions']}/status-board", params={"year": 2023}, headers=ADMIN, timeout=5
                ).ok
            ),
            "submissions to learn the 2023 campaign",
            90,
        )
        officers = {"officers": [{**o, "phone": "0216 3850 000"} for o in OFFICERS]}
        listed = requests.post(
            f"{urls['submissions']}/filings",
            json={"year": 2023, "form": "03", "cluster_id": CLUSTER, "payload": officers},
            headers=ADMIN,
            timeout=10,
        )
        assert listed.status_code == 201, listed.text
        yield Running(urls, home / "mail", (home / "portal-admin.txt").read_text().strip())
    finally:
        suite.stop_all()
        catcher.terminate()
        catcher.wait(timeout=30)


def sign_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#dang-nhap")


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#dang-xuat")


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
    page.fill("#tenant", tenant)
    page.click("#tao-tai-khoan button")
    assert f"Đã gửi thư mời tới {email}" in page.inner_text("main")


def no_serious_violations(page, where: str) -> None:  # type: ignore[no-untyped-def]
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    violations = axe.run(page).response["violations"]
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in SERIOUS]
    assert serious == [], f"{where}: {serious}"


def test_invited_officer_files_form_01_and_the_cluster_head_sees_it_on_the_board(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, running.portal, ACADEMY_EMAIL, running.admin_password)
    assert page.url.endswith("/hoc-vien/")
    no_serious_violations(page, "overview")
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.locator("#can-bo-mau-03 tr", has_text="ha@yenbai.invalid").locator("button").click()
    assert "Đã gửi thư mời tới ha@yenbai.invalid" in page.inner_text("main")
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")  # a tenant the registry does not know is refused
    page.fill("#full_name", "Không có cụm")
    page.fill("#email", "khong-co@cum.invalid")
    page.select_option("#role", "cluster_head")
    page.fill("#tenant", "cl_2023_khong_co")
    page.click("#tao-tai-khoan button")
    assert "Không có cụm thi đua mang mã cl_2023_khong_co" in page.inner_text("main")
    assert "khong-co@cum.invalid" not in page.inner_text("main")  # and no account was made
    academy_creates(page, running, "Văn phòng Cụm Trung du", "cum@hoabinh.invalid", "cluster_head", CLUSTER)
    no_serious_violations(page, "accounts")
    sign_out(page)

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
    assert download.value.suggested_filename == f"mau-06-2023-{CLUSTER}.docx"
    document = pytest.importorskip("docx").Document(download.value.path())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in [c.text for c in document.tables[0].rows[0].cells]
    page.goto(f"{running.portal}/cum/mau")
    no_serious_violations(page, "cluster forms")
    page.close()


def test_the_academy_extends_a_deadline_only_with_a_reason(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, running.portal, ACADEMY_EMAIL, running.admin_password)
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
    wait_for(
        lambda: (
            "20/11/2023" in (page.goto(f"{running.portal}/hoc-vien/ke-hoach") and page.inner_text("main"))
        ),
        "the campaign page to show the new due date",
    )
    page.close()


def test_the_provincial_viewer_reads_its_school_and_nothing_else(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, running.portal, ACADEMY_EMAIL, running.admin_password)
    academy_creates(
        page, running, "Thường trực Tỉnh ủy Yên Bái", "tinhuy@yenbai.invalid", "provincial_viewer", "YENBAI"
    )
    sign_out(page)
    accept_invitation(page, running, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    sign_in(page, running.portal, "tinhuy@yenbai.invalid", "mat-khau-tinh-uy")
    assert page.url.endswith("/tinh/")
    text = page.inner_text("main")
    assert "Trường Chính trị tỉnh Yên Bái" in text and "Phú Thọ" not in text
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
    for selector in ("#nop-01", "#dang-xuat"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "portal-todo-phone.png"), full_page=True)
    page.close()


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(browser, running) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    sign_in(page, running.portal, ACADEMY_EMAIL, running.admin_password)
    page.goto(f"{running.portal}/hoc-vien/tai-khoan")
    page.locator("#can-bo-mau-03 tr", has_text="binh@phutho.invalid").locator("button").click()
    sign_out(page)
    accept_invitation(page, running, "binh@phutho.invalid", "mat-khau-cua-binh")
    for attempt in range(5):
        sign_in(page, running.portal, "binh@phutho.invalid", f"sai-mat-khau-{attempt}")
    assert "Tài khoản tạm khóa đến" in page.inner_text("main")
    sign_in(page, running.portal, "binh@phutho.invalid", "mat-khau-cua-binh")  # the right one, while locked
    assert page.url.endswith("/dang-nhap") and "tạm khóa" in page.inner_text("main")
    no_serious_violations(page, "login")
    page.goto(running.portal + "/loi-moi/khong-phai-lien-ket")
    assert "Liên kết này không hợp lệ hoặc đã được dùng" in page.inner_text("main")
    page.close()

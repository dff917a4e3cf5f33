"""The drafts to sign: each DOCX opens, in the Party's document layout, filled from the suite's data."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from docx import Document

from services.portal import papers
from shared.text import number

NAMES = {
    "sch_hoabinh": "Trường Chính trị tỉnh Hòa Bình",
    "sch_bacgiang": "Trường Chính trị tỉnh Bắc Giang",
    "sch_tuyenquang": "Trường Chính trị tỉnh Tuyên Quang",
    "sch_yenbai": "Trường Chính trị tỉnh Yên Bái",
}
DATA = papers.ClusterYear(
    cluster={
        "cluster_id": "cl_2023_trung_du_bac",
        "year": 2023,
        "name": "Cụm thi đua các trường chính trị khu vực Trung du miền núi phía Bắc",
        "head_school_id": "sch_hoabinh",
    },
    names=NAMES,
    head={"school_id": "sch_hoabinh", "province": "Hòa Bình"},
    table=[
        {"school_id": "sch_bacgiang", "final": 94.5, "band": "xuat_sac", "rank": 1},
        {"school_id": "sch_tuyenquang", "final": 93.0, "band": "xuat_sac", "rank": 2},
        {"school_id": "sch_yenbai", "final": 77.25, "band": "tot", "rank": None},
    ],
    bands={"xuat_sac": "Hoàn thành xuất sắc nhiệm vụ", "tot": "Hoàn thành tốt nhiệm vụ"},
    proposals=[
        {"school_id": "sch_bacgiang", "award": "co_thi_dua", "rank": 1, "final": 94.5, "status": "proposed"},
        {
            "school_id": "sch_tuyenquang",
            "award": "bang_khen",
            "rank": 2,
            "final": 93.0,
            "status": "rejected_by_vote",
        },
    ],
    dossier={
        "payload": {
            "report_06": "Các trường trong cụm hoàn thành tốt nhiệm vụ năm 2023.",
            "minutes_07": "Hội nghị họp ngày 20/11/2023 tại Hòa Bình, 7/7 trường dự.",
            "ballots": [
                {"school_id": "sch_bacgiang", "award": "co_thi_dua", "voters": 7, "in_favour": 7},
                {"school_id": "sch_tuyenquang", "award": "bang_khen", "voters": 7, "in_favour": 3},
            ],
            "nomination": {"head_school_id": "sch_bacgiang", "deputy_school_ids": ["sch_tuyenquang"]},
        }
    },
    today=datetime(2023, 11, 25, 20, 0, tzinfo=UTC),  # 26/11 in Vietnam
)


def opened(paper: str) -> tuple[str, list[list[str]]]:
    """Return a draft's paragraphs and the rows of its tables, as Word would show them."""
    document = Document(io.BytesIO(papers.draft(paper, DATA)))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows


@pytest.mark.parametrize(
    ("paper", "kind", "number"),
    [("06", "BÁO CÁO", "BC"), ("07", "BIÊN BẢN", "BB"), ("08", "TỜ TRÌNH", "TTr")],
)
def test_each_draft_carries_the_header_title_recipients_and_signature_of_a_party_document(
    paper, kind, number
) -> None:  # type: ignore[no-untyped-def]
    text, rows = opened(paper)
    header = rows[:3]
    assert header[0] == ["TRƯỜNG CHÍNH TRỊ TỈNH HÒA BÌNH", "ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert header[1][0] == "CỤM THI ĐUA CÁC TRƯỜNG CHÍNH TRỊ KHU VỰC TRUNG DU MIỀN NÚI PHÍA BẮC"
    assert header[2] == [f"Số:      -{number}/CTĐ", "Hòa Bình, ngày 26 tháng 11 năm 2023"]
    assert kind in text.splitlines()
    closing = rows[-1]
    assert closing[0].startswith("Nơi nhận:") and "Học viện Chính trị quốc gia Hồ Chí Minh" in closing[0]
    assert closing[1].splitlines() == ["T/M CỤM THI ĐUA", "CỤM TRƯỞNG", "(Ký, ghi rõ họ tên và đóng dấu)"]


def test_form_06_has_the_report_and_the_ranked_score_table_in_vietnamese_numbers() -> None:
    text, rows = opened("06")
    assert "Tổng kết phong trào thi đua của cụm năm 2023" in text
    assert "Các trường trong cụm hoàn thành tốt nhiệm vụ năm 2023." in text
    assert ["1", "Trường Chính trị tỉnh Bắc Giang", "94,5", "Hoàn thành xuất sắc nhiệm vụ"] in rows
    assert ["2", "Trường Chính trị tỉnh Tuyên Quang", "93", "Hoàn thành xuất sắc nhiệm vụ"] in rows
    assert ["Không bình xét", "Trường Chính trị tỉnh Yên Bái", "77,25", "Hoàn thành tốt nhiệm vụ"] in rows


def test_form_07_has_the_minutes_and_the_tally_of_each_secret_ballot() -> None:
    text, rows = opened("07")
    assert "Hội nghị họp ngày 20/11/2023 tại Hòa Bình, 7/7 trường dự." in text
    assert ["Trường Chính trị tỉnh Bắc Giang", "Cờ thi đua của Học viện", "7", "7", "100%"] in rows
    assert [
        "Trường Chính trị tỉnh Tuyên Quang",
        "Bằng khen của Giám đốc Học viện",
        "7",
        "3",
        "42,86%",
    ] in rows


def test_form_08_proposes_only_what_the_vote_carried_and_names_next_years_head_and_deputy() -> None:
    text, rows = opened("08")
    assert ["Trường Chính trị tỉnh Bắc Giang", "Cờ thi đua của Học viện", "94,5", "1"] in rows
    assert not any("Tuyên Quang" in cell for row in rows[3:-1] for cell in row)  # the vote fell short
    assert "Cụm trưởng: Trường Chính trị tỉnh Bắc Giang." in text
    assert "Cụm phó: Trường Chính trị tỉnh Tuyên Quang." in text
    assert "Cụm trưởng, Cụm phó năm 2024" in text


@pytest.mark.parametrize(
    ("value", "shown"), [(94.5, "94,5"), (100, "100"), (77.25, "77,25"), (0.1 + 0.2, "0,3"), (None, "")]
)
def test_numbers_are_written_with_a_decimal_comma(value, shown) -> None:  # type: ignore[no-untyped-def]
    assert number(value) == shown


def test_papers_bear_the_day_of_the_years_conference_not_the_download_day() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    conference = {"payload": {"held_on": "2023-11-24"}}
    dossier = {"filed_at": "2023-11-28T10:00:00+07:00"}
    assert papers.long_date(papers.dated(conference, dossier, now)) == "ngày 24 tháng 11 năm 2023"
    assert papers.long_date(papers.dated(None, dossier, now)) == "ngày 28 tháng 11 năm 2023"
    assert papers.long_date(papers.dated(None, None, now)) == "ngày 01 tháng 12 năm 2026"


def test_the_papers_a_filing_attaches_are_the_same_bytes_each_time_they_are_rendered() -> None:
    attached = papers.for_filing(DATA)
    assert sorted(attached) == sorted(papers.FILED_NAMES.values())
    assert attached == papers.for_filing(DATA)  # nothing in the bytes depends on the moment of rendering
    renamed = replace(DATA, names={**NAMES, "sch_bacgiang": "Tên mới"})
    assert papers.for_filing(renamed)[papers.FILED_NAMES["06"]] != attached[papers.FILED_NAMES["06"]]


def test_a_filed_dossier_is_read_for_its_papers_by_the_names_they_were_attached_under() -> None:
    documents = [
        {"sha256": "a" * 64, "name": papers.FILED_NAMES["06"]},
        {"sha256": "b" * 64, "name": "bien-ban-scan.pdf"},  # the cluster's own attachment
        {"sha256": "c" * 64, "name": papers.FILED_NAMES["08"]},
    ]
    found = papers.filed(documents)
    assert {paper: d["sha256"] for paper, d in found.items()} == {"06": "a" * 64, "08": "c" * 64}
    assert papers.filed([]) == {}

"""Drafts to sign, as DOCX in the layout of the Party's administrative documents (Hướng dẫn 36-HD/VPTW).

Mẫu 06 (the cluster's summary report with its score table), Mẫu 07 (the conference minutes with the
vote tally) and Mẫu 08 (the proposal for awards and next year's head and deputy), filled from the
suite's data: issuing body, "ĐẢNG CỘNG SẢN VIỆT NAM", number, place and date, recipients, signature.

Until the cluster files its dossier they are drafts, filled from today's data. Filing the dossier
renders them once, with the names of that day, and attaches them to the filing as its documents: the
filing's event records each one's SHA-256, and every later download is those bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from services.forms import CONFERENCE_FORM, DOSSIER_FORM
from services.paperwork import (
    ACADEMY,
    centred,
    grid_table,
    long_date,
    page_setup,
    paragraph_of,
    saved,
    title_block,
)
from services.vocabulary import AWARD_NAMES
from shared.text import number
from shared.time import LOCAL_TIME
from shared.web.gateway import SuiteError

SIGN_HERE = "(Ký, ghi rõ họ tên và đóng dấu)"


class Reader(Protocol):
    """What the papers read the services through: the portal's caller, or the demonstration's loader."""

    def get(self, service: str, path: str, **params: Any) -> Any:
        """Return the JSON a service answers to a GET."""


@dataclass(frozen=True)
class ClusterYear:
    """What the drafts are filled from: the cluster, its table, proposals, dossier and the day."""

    cluster: dict[str, Any]
    names: dict[str, str]
    head: dict[str, Any] | None
    table: list[dict[str, Any]]
    bands: dict[str, str]
    proposals: list[dict[str, Any]]
    dossier: dict[str, Any] | None
    today: datetime
    """The day the papers bear: the year's own event (see ``dated``), not the download day."""

    def name(self, school_id: str | None) -> str:
        """Return a school's name (its id when the registry does not know it)."""
        return self.names.get(school_id or "", school_id or "")


def gather(
    caller: Reader,
    cluster: dict[str, Any],
    names: dict[str, str],
    now: datetime,
    filing: dict[str, Any] | None = None,
) -> ClusterYear:
    """Read what the drafts need from the services, as the signed-in cluster head; ``filing`` is the
    dossier about to be filed (else the one filed, if any)."""
    year, cluster_id = cluster["year"], cluster["cluster_id"]
    head = (
        caller.get("registry", f"/schools/{cluster['head_school_id']}") if cluster["head_school_id"] else None
    )
    try:
        table = caller.get("scoring", f"/score-tables/{year}/{cluster_id}")["table"]
        proposals = caller.get("scoring", f"/proposals/{year}/{cluster_id}")["proposals"]
    except SuiteError as error:
        if error.status != 404:
            raise
        table, proposals = [], []
    bands = {b["code"]: b["name"] for b in caller.get("registry", f"/campaigns/{year}")["content"]["bands"]}
    if filing is None:
        dossiers = caller.get("submissions", "/filings", year=year, form=DOSSIER_FORM, filer_id=cluster_id)
    conferences = caller.get("submissions", "/filings", year=year, form=CONFERENCE_FORM, filer_id=cluster_id)
    dossier = filing if filing is not None else (dossiers[0] if dossiers else None)
    day = dated(conferences[-1] if conferences else None, dossier, now)
    return ClusterYear(cluster, names, head, table, bands, proposals, dossier, day)


def dated(conference: dict[str, Any] | None, dossier: dict[str, Any] | None, now: datetime) -> datetime:
    """Return the day the year's papers bear: the conference's, else the dossier's filing, else today.

    The minutes and proposals come out of the year-end conference, so a 2023 paper downloaded in 2026
    is still dated on the day of the 2023 conference.
    """
    if conference is not None and conference["payload"].get("held_on"):
        held = date.fromisoformat(str(conference["payload"]["held_on"]))
        return datetime(held.year, held.month, held.day, 12, tzinfo=LOCAL_TIME)
    if dossier is not None:
        return datetime.fromisoformat(str(dossier["filed_at"]))
    return now


def draft(paper: str, data: ClusterYear) -> bytes:
    """Return the DOCX of one draft (06, 07 or 08)."""
    document = Document()
    page_setup(document)
    title, number_code, write = PAPERS[paper]
    _heading(document, data, number_code)
    title_block(document, *title(data))
    write(document, data)
    _closing(document, data)
    return saved(document, data.today)


FILED_NAMES = {
    "06": "Mẫu số 06 - Báo cáo tổng kết phong trào thi đua của cụm.docx",
    "07": "Mẫu số 07 - Biên bản hội nghị tổng kết.docx",
    "08": "Mẫu số 08 - Tờ trình đề nghị khen thưởng.docx",
}
"""The names the papers rendered at the dossier's filing are attached under."""


def for_filing(data: ClusterYear) -> dict[str, bytes]:
    """Return the three papers as the dossier's filing attaches them, by their attached names."""
    return {FILED_NAMES[paper]: draft(paper, data) for paper in PAPERS}


def filed(documents: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Return, by paper, the documents a filed dossier holds as its rendered papers."""
    by_name = {d.get("name"): d for d in documents}
    return {paper: by_name[name] for paper, name in FILED_NAMES.items() if name in by_name}


def _heading(document: DocxDocument, data: ClusterYear, number_code: str) -> None:
    """The header: issuing body and number on the left, the Party's name, place and date on the right."""
    grid = document.add_table(rows=3, cols=2)
    left, right = grid.columns[0].cells, grid.columns[1].cells
    centred(left[0], data.name(data.cluster["head_school_id"]).upper() or ACADEMY.upper(), size=12)
    centred(
        left[1],
        f"CỤM THI ĐUA {data.cluster['name'].removeprefix('Cụm thi đua ').upper()}",
        bold=True,
        size=12,
    )
    centred(left[2], f"Số:      -{number_code}/CTĐ", size=13)
    centred(right[0], "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    centred(right[1], "", size=12)
    place = (data.head or {}).get("province", "")
    centred(right[2], f"{place}, {long_date(data.today)}", italic=True, size=14)


def _report_06(document: DocxDocument, data: ClusterYear) -> None:
    year = data.cluster["year"]
    paragraph_of(document, f"Kính gửi: {ACADEMY} (Vụ Các trường chính trị).")
    payload = (data.dossier or {}).get("payload", {})
    paragraph_of(document, "I. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA", bold=True)
    paragraph_of(
        document, payload.get("report_06") or f"(Tóm tắt kết quả phong trào thi đua năm {year} của cụm.)"
    )
    paragraph_of(document, "II. BẢNG TỔNG HỢP ĐIỂM CỦA CÁC TRƯỜNG TRONG CỤM", bold=True)
    grid_table(document, ["Hạng", "Trường", "Tổng điểm", "Xếp loại"], _score_rows(data))


def _score_rows(data: ClusterYear) -> list[list[str]]:
    return [
        [
            str(row["rank"]) if row["rank"] is not None else "Không bình xét",
            data.name(row["school_id"]),
            number(row["final"]),
            data.bands.get(row["band"], row["band"] or ""),
        ]
        for row in data.table
    ]


def _minutes_07(document: DocxDocument, data: ClusterYear) -> None:
    payload = (data.dossier or {}).get("payload", {})
    paragraph_of(
        document, payload.get("minutes_07") or "(Thời gian, địa điểm, thành phần, nội dung hội nghị.)"
    )
    paragraph_of(document, "KẾT QUẢ BỎ PHIẾU KÍN ĐỀ NGHỊ KHEN THƯỞNG", bold=True)
    ballots = payload.get("ballots") or []
    rows = [
        [
            data.name(b["school_id"]),
            AWARD_NAMES.get(b["award"], b["award"]),
            str(b["voters"]),
            str(b["in_favour"]),
            f"{number(100 * b['in_favour'] / b['voters'])}%" if b["voters"] else "",
        ]
        for b in ballots
    ]
    grid_table(
        document, ["Trường", "Hình thức khen thưởng", "Số phiếu phát ra", "Số phiếu đồng ý", "Tỷ lệ"], rows
    )
    paragraph_of(
        document,
        "Biên bản được thông qua tại hội nghị và gửi kèm hồ sơ đề nghị khen thưởng của cụm.",
        italic=True,
    )


def _proposal_08(document: DocxDocument, data: ClusterYear) -> None:
    year = data.cluster["year"]
    paragraph_of(document, f"Kính gửi: Giám đốc {ACADEMY}.")
    paragraph_of(document, f"1. Đề nghị khen thưởng phong trào thi đua năm {year}:", bold=True)
    rows = [
        [
            data.name(p["school_id"]),
            AWARD_NAMES.get(p["award"], p["award"]),
            number(p["final"]),
            str(p["rank"]),
        ]
        for p in data.proposals
        if p["status"] == "proposed"
    ]
    grid_table(document, ["Trường", "Hình thức khen thưởng", "Tổng điểm", "Hạng"], rows)
    nomination = (data.dossier or {}).get("payload", {}).get("nomination") or {}
    paragraph_of(document, f"2. Đề nghị Cụm trưởng, Cụm phó năm {year + 1}:", bold=True)
    paragraph_of(document, f"Cụm trưởng: {data.name(nomination.get('head_school_id')) or '(chưa đề cử)'}.")
    deputies = ", ".join(data.name(s) for s in nomination.get("deputy_school_ids", [])) or "(chưa đề cử)"
    paragraph_of(document, f"Cụm phó: {deputies}.")


def _closing(document: DocxDocument, data: ClusterYear) -> None:
    """Recipients on the left, the signature block on the right."""
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.rows[0].cells
    recipients = left.paragraphs[0]
    run = recipients.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in (
        f"- {ACADEMY} (Vụ Các trường chính trị),",
        "- Các trường trong cụm,",
        "- Lưu Văn phòng cụm.",
    ):
        left.add_paragraph().add_run(line).font.size = Pt(11)
    centred(right, "T/M CỤM THI ĐUA", bold=True)
    for text, bold, italic in (("CỤM TRƯỞNG", True, False), (SIGN_HERE, False, True)):
        paragraph = right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic


def _titles(kind: str, what: str) -> Callable[[ClusterYear], tuple[str, str]]:
    return lambda data: (kind, f"{what} năm {data.cluster['year']}")


PAPERS: dict[
    str, tuple[Callable[[ClusterYear], tuple[str, str]], str, Callable[[DocxDocument, ClusterYear], None]]
] = {
    "06": (_titles("BÁO CÁO", "Tổng kết phong trào thi đua của cụm"), "BC", _report_06),
    "07": (_titles("BIÊN BẢN", "Hội nghị tổng kết phong trào thi đua của cụm"), "BB", _minutes_07),
    "08": (_titles("TỜ TRÌNH", "Đề nghị khen thưởng và giới thiệu Cụm trưởng, Cụm phó"), "TTr", _proposal_08),
}
"""Each draft: its title, the number's document code, and how its body is written."""

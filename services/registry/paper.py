"""The Academy's award decision (Quyết định khen thưởng) as DOCX, in the layout of Hướng dẫn 36-HD/VPTW.

The issuing body and number on the left, the Party's name, place and date on the right; the title, the
grounds, the articles; recipients and the signature block; then the list annex ("Danh sách kèm theo"),
one table per award. Everything comes from the decision as its events recorded it: the particulars (as
corrected), the grounds, and each school's and cluster's name the day it was issued; the paper bears
the decision's own date, so the same decision gives the same bytes at every download. A draft's paper
says it is a draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

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

PLACE = "Hà Nội"
LAW = "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;"


DRAFT_MARK = "DỰ THẢO — chưa ban hành, không có giá trị pháp lý"


def decision(
    issued: Mapping[str, Any],
    schools: Mapping[str, str] | None = None,
    clusters: Mapping[str, str] | None = None,
    draft: bool = False,
) -> bytes:
    """Return the DOCX of an award decision with its list annex (marked as a draft when it is one).

    The names are the decision's own; ``schools`` and ``clusters`` name those of a decision issued
    before names were recorded with it (and of a draft, which has none yet).
    """
    document = Document()
    page_setup(document)
    signed = date.fromisoformat(str(issued["signed_on"]))
    day = datetime(signed.year, signed.month, signed.day, 12, tzinfo=LOCAL_TIME)
    if draft:
        _centred_line(document, DRAFT_MARK, bold=True)
    _heading(document, str(issued["number"]), day)
    title_block(document, "QUYẾT ĐỊNH", f"về việc khen thưởng phong trào thi đua năm {issued['year']}")
    _centred_line(document, f"GIÁM ĐỐC {ACADEMY.upper()}", bold=True)
    for ground in grounds(issued):
        paragraph_of(document, ground, italic=True)
    _centred_line(document, "QUYẾT ĐỊNH:", bold=True)
    for text in articles(issued):
        paragraph_of(document, text)
    _closing(document, issued)
    _annex(document, issued, day, schools or {}, clusters or {})
    return saved(document, day)


def _heading(document: DocxDocument, decision_number: str, day: datetime) -> None:
    grid = document.add_table(rows=3, cols=2)
    left, right = grid.columns[0].cells, grid.columns[1].cells
    centred(left[0], ACADEMY.upper(), bold=True, size=13)
    centred(left[1], "*", size=13)
    centred(left[2], f"Số {decision_number}", size=13)
    centred(right[0], "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    centred(right[1], "", size=12)
    centred(right[2], f"{PLACE}, {long_date(day)}", italic=True, size=14)


def grounds(issued: Mapping[str, Any]) -> list[str]:
    """Return the decision's grounds (the law, the campaign's legal basis, the proposals)."""
    basis = str(issued.get("legal_basis") or "").strip().rstrip(".;")
    found = [LAW]
    if basis:
        found.append(
            f"Căn cứ {basis[0].lower()}{basis[1:]};" if not basis.startswith("Căn cứ") else f"{basis};"
        )
    found.append(
        "Xét đề nghị của các cụm thi đua và của Hội đồng Thi đua - Khen thưởng Học viện về kết quả "
        f"phong trào thi đua năm {issued['year']} của hệ thống trường chính trị,"
    )
    return found


def _centred_line(document: DocxDocument, text: str, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def signature_lines(title: str) -> list[str]:
    """Return the signature block's title lines: "K/T GIÁM ĐỐC / PHÓ GIÁM ĐỐC" when a deputy signs."""
    upper = title.strip().upper()
    if upper.startswith("PHÓ "):
        return [f"K/T {upper.removeprefix('PHÓ ')}", upper]
    return [upper]


def _closing(document: DocxDocument, issued: Mapping[str, Any]) -> None:
    grid = document.add_table(rows=1, cols=2)
    left, right = grid.rows[0].cells
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in RECIPIENTS:
        left.add_paragraph().add_run(line).font.size = Pt(11)
    first, *rest = signature_lines(str(issued["signer_title"]))
    centred(right, first, bold=True)
    for text in (*rest, "", "", str(issued["signer_name"])):
        paragraph = right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = True


def _annex(
    document: DocxDocument,
    issued: Mapping[str, Any],
    day: datetime,
    schools: Mapping[str, str],
    clusters: Mapping[str, str],
) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _centred_line(document, "DANH SÁCH", bold=True)
    _centred_line(document, f"tập thể được khen thưởng phong trào thi đua năm {issued['year']}", bold=True)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.add_run(
        f"(Kèm theo Quyết định số {issued['number']}, {long_date(day)} của Giám đốc {ACADEMY})"
    ).italic = True
    for name, rows in annex(issued, schools, clusters):
        paragraph_of(document, name.upper(), bold=True)
        grid_table(document, list(ANNEX_HEADER), rows)


ANNEX_HEADER = ("STT", "Tên tập thể", "Cụm thi đua", "Tổng điểm")
RECIPIENTS = (
    "- Các cụm thi đua,",
    "- Các tập thể có tên tại Điều 1,",
    "- Các tỉnh ủy, thành ủy, ban cán sự đảng bộ, ngành có liên quan,",
    "- Lưu Văn phòng, Vụ Các trường chính trị.",
)


def articles(issued: Mapping[str, Any]) -> list[str]:
    """Return the decision's articles: one per award it grants, then who carries it out."""
    awarded = [v for v in issued["verdicts"] if v["awarded"]]
    texts: list[str] = []
    for award, name in AWARD_NAMES.items():
        count = sum(1 for v in awarded if v["award"] == award)
        if count:
            texts.append(
                f"Điều {len(texts) + 1}. Tặng {name} cho {count} tập thể đã có thành tích xuất sắc trong "
                f"phong trào thi đua năm {issued['year']} (có danh sách kèm theo)."
            )
    texts.append(
        f"Điều {len(texts) + 1}. Vụ Các trường chính trị, Văn phòng Học viện, các cụm thi đua và các tập thể "
        "có tên trong danh sách kèm theo chịu trách nhiệm thi hành Quyết định này."
    )
    return texts


def annex(
    issued: Mapping[str, Any], schools: Mapping[str, str], clusters: Mapping[str, str]
) -> list[tuple[str, list[list[str]]]]:
    """Return the list annex: per award granted, its name and a row per school (the names of the day)."""
    tables = []
    for award, name in AWARD_NAMES.items():
        granted = [v for v in issued["verdicts"] if v["awarded"] and v["award"] == award]
        if granted:
            rows = [
                [
                    str(i),
                    v.get("school_name") or schools.get(v["school_id"], v["school_id"]),
                    v.get("cluster_name") or clusters.get(v["cluster_id"], ""),
                    number(v["final"]),
                ]
                for i, v in enumerate(granted, start=1)
            ]
            tables.append((name, rows))
    return tables


def signed_day(issued: Mapping[str, Any]) -> datetime:
    """Return the moment a decision's paper is dated at: noon, Vietnam time, of the day it was signed."""
    signed = date.fromisoformat(str(issued["signed_on"]))
    return datetime(signed.year, signed.month, signed.day, 12, tzinfo=LOCAL_TIME)

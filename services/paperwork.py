"""The layout every paper of the suite follows (Hướng dẫn 36-HD/VPTW for Party documents), in DOCX.

A4 with the margins and the 14-point Times New Roman of Party documents; centred title blocks, justified
paragraphs, ruled tables; numbers and dates as Vietnamese papers write them. ``saved`` gives the same
bytes for the same content whenever it runs, so a paper rendered from what was recorded is identical at
every download and its SHA-256 can stand for it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from shared.time import LOCAL_TIME

ACADEMY = "Học viện Chính trị quốc gia Hồ Chí Minh"


def long_date(moment: datetime) -> str:
    """Return 'ngày 26 tháng 11 năm 2026' (Vietnam's date of the moment)."""
    day = moment.astimezone(LOCAL_TIME)
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def page_setup(document: DocxDocument) -> None:
    """Set an A4 page with the margins and the 14-point Times New Roman of Party documents."""
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)


def centred(
    cell: Any, text: str, bold: bool = False, italic: bool = False, underline: bool = False, size: int = 14
) -> None:
    """Write a line of text centred in a table cell."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)


def title_block(document: DocxDocument, kind: str, subject: str) -> None:
    """Write the paper's kind and subject, centred and bold, and the short rule under them."""
    for text, bold in ((kind, True), (subject, True)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
    document.add_paragraph("-----").alignment = WD_ALIGN_PARAGRAPH.CENTER


def paragraph_of(document: DocxDocument, text: str, bold: bool = False, italic: bool = False) -> None:
    """Write a justified paragraph with its first line indented."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def grid_table(document: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    """Write a ruled table with a bold header row."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        centred(cell, text, bold=True, size=12)
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            centred(cell, text, size=12)


def saved(document: DocxDocument, moment: datetime) -> bytes:
    """Return a document's bytes with every date in it set to a moment of its own (not the time of saving)."""
    properties = document.core_properties
    properties.author, properties.last_modified_by = ACADEMY, ACADEMY
    at = moment.astimezone(UTC).replace(tzinfo=None)  # python-docx writes naive times as UTC
    properties.created = properties.modified = properties.last_printed = at
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = moment.astimezone(LOCAL_TIME).timetuple()[:6]
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            again = zipfile.ZipInfo(entry.filename, date_time=stamp)
            again.compress_type, again.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            target.writestr(again, source.read(entry))
    return fixed.getvalue()

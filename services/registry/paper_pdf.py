"""The issued decision as PDF, in the layout of Hướng dẫn 36-HD/VPTW, ready to be signed.

The same texts as the DOCX (``paper.py``): the heading, the title, the grounds, the articles, the
recipients and the signature block, then the list annex. Set in DejaVu Serif, whose glyphs cover every
Vietnamese letter (Liberation Serif, Times-like, lacks the stacked diacritics), from Debian's
fonts-dejavu-core and fonts-dejavu-extra, found in ``PAPER_FONT_DIR``; without it there is no PDF, and
the decision says so.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.paperwork import ACADEMY, long_date
from services.registry import paper

FACES = {"Serif": "", "Serif-Bold": "-Bold", "Serif-Italic": "-Italic", "Serif-BoldItalic": "-BoldItalic"}


def fonts_at(directory: Path) -> bool:
    """Register DejaVu Serif from a directory; say whether it is there."""
    files = {face: directory / f"DejaVuSerif{style}.ttf" for face, style in FACES.items()}
    if not all(f.exists() for f in files.values()):
        return False
    for face, path in files.items():
        if face not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(face, str(path)))
    pdfmetrics.registerFontFamily(
        "Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic", boldItalic="Serif-BoldItalic"
    )
    return True


def decision_pdf(issued: Mapping[str, Any], schools: Mapping[str, str], clusters: Mapping[str, str]) -> bytes:
    """Return an issued decision as PDF (the fonts registered by ``fonts_at`` first)."""
    day = paper.signed_day(issued)
    body = _style("body", alignment=TA_JUSTIFY, firstLineIndent=1 * cm)
    centred = _style("centred", alignment=TA_CENTER)
    story: list[Any] = [
        _heading(str(issued["number"]), day),
        Spacer(1, 0.6 * cm),
        Paragraph("<b>QUYẾT ĐỊNH</b>", centred),
        Paragraph(f"<b>về việc khen thưởng phong trào thi đua năm {issued['year']}</b>", centred),
        Paragraph("-----", centred),
        Paragraph(f"<b>GIÁM ĐỐC {escape(ACADEMY.upper())}</b>", centred),
        *[Paragraph(f"<i>{escape(g)}</i>", body) for g in paper.grounds(issued)],
        Paragraph("<b>QUYẾT ĐỊNH:</b>", centred),
        *[Paragraph(escape(text), body) for text in paper.articles(issued)],
        Spacer(1, 0.5 * cm),
        _closing(issued),
        PageBreak(),
        Paragraph("<b>DANH SÁCH</b>", centred),
        Paragraph(f"<b>tập thể được khen thưởng phong trào thi đua năm {issued['year']}</b>", centred),
        Paragraph(
            f"<i>(Kèm theo Quyết định số {escape(str(issued['number']))}, {long_date(day)} của Giám đốc "
            f"{escape(ACADEMY)})</i>",
            centred,
        ),
    ]
    for name, rows in paper.annex(issued, schools, clusters):
        story += [Spacer(1, 0.3 * cm), Paragraph(f"<b>{escape(name.upper())}</b>", body), _grid(rows)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=3 * cm,
        rightMargin=1.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"Quyết định số {issued['number']}",
        author=ACADEMY,
        invariant=1,  # no time of rendering inside: the same decision gives the same bytes before signing
    )
    document.build(story)
    return buffer.getvalue()


def _style(name: str, size: int = 14, **options: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName="Serif", fontSize=size, leading=size * 1.3, spaceAfter=4, **options)


def _heading(number: str, day: Any) -> Table:
    left = _style("left", 13, alignment=TA_CENTER)
    right = _style("right", 13, alignment=TA_CENTER)
    cells = [
        [
            Paragraph(f"<b>{escape(ACADEMY.upper())}</b>", left),
            Paragraph("<b><u>ĐẢNG CỘNG SẢN VIỆT NAM</u></b>", right),
        ],
        [Paragraph("*", left), Paragraph("", right)],
        [Paragraph(f"Số {escape(number)}", left), Paragraph(f"<i>Hà Nội, {long_date(day)}</i>", right)],
    ]
    return Table(cells, colWidths=[7.5 * cm, 9 * cm])


def _closing(issued: Mapping[str, Any]) -> Table:
    small = _style("small", 11)
    centred = _style("sign", alignment=TA_CENTER)
    first, *rest = paper.signature_lines(str(issued["signer_title"]))
    left = [
        Paragraph("<b><i>Nơi nhận:</i></b>", _style("to", 12)),
        *[Paragraph(escape(x), small) for x in paper.RECIPIENTS],
    ]
    right = [Paragraph(f"<b>{escape(line)}</b>", centred) for line in (first, *rest)]
    right += [Spacer(1, 2.2 * cm), Paragraph(f"<b>{escape(str(issued['signer_name']))}</b>", centred)]
    return Table([[left, right]], colWidths=[8 * cm, 8.5 * cm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")])


def _grid(rows: list[list[str]]) -> Table:
    cell = _style("cell", 12, alignment=TA_CENTER)
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in paper.ANNEX_HEADER]]
    data += [[Paragraph(escape(text), cell) for text in row] for row in rows]
    table = Table(data, colWidths=[1.6 * cm, 6.9 * cm, 5.5 * cm, 2.5 * cm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return table

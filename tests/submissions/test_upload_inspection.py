"""What an upload may hold, decided on its bytes alone: no macros, no bomb even nested, served names."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.submissions.app.archives import ArchiveLimits, inspect_upload
from shared.documents import attachment, served_name
from shared.errors import DomainError, TooLarge, Unsupported

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMITS = ArchiveLimits(max_bytes=4 << 20, max_ratio=200.0, max_members=100)


def archive(members: dict[str, bytes], types: str = "<Types/>") -> bytes:
    """Return a ZIP archive of members, with an Office content-types part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("[Content_Types].xml", types)
        for name, content in members.items():
            zipped.writestr(name, content)
    return buffer.getvalue()


BOMB = archive({"word/document.xml": bytes(3 << 20)})  # 3 MiB of zeros in a few kilobytes
MACRO_TYPES = '<Types><Default ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'


@pytest.mark.parametrize(
    ("case", "content", "media_type", "refused"),
    [
        ("a plain docx", archive({"word/document.xml": b"<w:document/>"}), DOCX, None),
        ("an xlsm named xlsx", archive({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), XLSX, Unsupported),
        ("a docm named docx", archive({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), DOCX, Unsupported),
        ("a macro-enabled type", archive({"xl/workbook.xml": b"<w/>"}, MACRO_TYPES), XLSX, Unsupported),
        ("an ActiveX control", archive({"word/activeX/activeX1.xml": b"<a/>"}), DOCX, Unsupported),
        ("a bomb embedded in a docx", archive({"word/embeddings/goi.docx": BOMB}), DOCX, TooLarge),
        ("a small embedded archive", archive({"word/embeddings/goi.docx": archive({})}), DOCX, None),
    ],
)
def test_what_an_office_upload_may_hold(
    case: str, content: bytes, media_type: str, refused: type[DomainError] | None
) -> None:
    if refused is None:
        inspect_upload(content, media_type, LIMITS)
    else:
        with pytest.raises(refused):
            inspect_upload(content, media_type, LIMITS)


def test_archives_nested_beyond_three_levels_are_refused() -> None:
    nested = archive({"word/document.xml": b"<w/>"})
    for _ in range(5):
        nested = archive({"word/embeddings/goi.docx": nested})
    with pytest.raises(TooLarge):
        inspect_upload(nested, DOCX, LIMITS)


@pytest.mark.parametrize(
    ("given", "media_type", "served"),
    [
        ("bao-cao.html", "application/pdf", "bao-cao.pdf"),
        ("bang-diem.xlsm", XLSX, "bang-diem.xlsx"),
        ("ke-hoach.docm", DOCX, "ke-hoach.docx"),
        ("Báo cáo tổng kết.tar.gz.pdf", "application/pdf", "Báo cáo tổng kết.pdf"),
        ('..\\..\\evil".html', "image/png", "evil.png"),
        ("", "image/jpeg", "tai-lieu.jpg"),
        ("a\r\nSet-Cookie: x=1.pdf", "application/pdf", "a Set-Cookie x 1.pdf"),
    ],
)
def test_a_download_is_named_by_its_detected_type_never_by_the_uploaded_extension(
    given: str, media_type: str, served: str
) -> None:
    assert served_name(given, media_type, "tai-lieu") == served


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("so-khen-thuong.xlsx", 'attachment; filename="so-khen-thuong.xlsx"'),
        (
            'x";filename="evil.html',
            "attachment; filename=\"x;filename=evil.html\"; filename*=UTF-8''x%22%3Bfilename%3D%22evil.html",
        ),
        (
            "Quyết định.docx",
            'attachment; filename="Quyet dinh.docx"; '
            "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.docx",
        ),
    ],
)
def test_a_download_header_is_quoted_so_a_name_cannot_add_a_parameter(name: str, header: str) -> None:
    assert attachment(name) == header

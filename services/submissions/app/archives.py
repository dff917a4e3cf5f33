"""Uploaded containers inspected before they are stored: no zip bomb, and a PDF that is a PDF.

DOCX and XLSX files are ZIP archives. Their members are counted and decompressed in chunks against
the configured budget, so a size forged in the archive's headers cannot hide a bomb; the whole
archive may expand at most ``max_ratio`` times its own size.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from shared.errors import RuleBroken, TooLarge

CHUNK = 1 << 16
ZIP_TYPES = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ArchiveLimits:
    """How far an uploaded archive may expand: total bytes, ratio to its own size, member count."""

    max_bytes: int = 100 * 1024 * 1024
    max_ratio: float = 200.0
    max_members: int = 2000


def inspect_upload(content: bytes, media_type: str, limits: ArchiveLimits) -> None:
    """Refuse an archive beyond the limits, or a PDF without its header and end marker."""
    if media_type == "application/pdf":
        _inspect_pdf(content)
    elif media_type in ZIP_TYPES:
        _inspect_zip(content, limits)


def _inspect_pdf(content: bytes) -> None:
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise RuleBroken(
            "the file is not a complete PDF document", {"detected": "application/pdf"}, "corrupt_document"
        )


def _inspect_zip(content: bytes, limits: ArchiveLimits) -> None:
    budget = min(limits.max_bytes, int(len(content) * limits.max_ratio))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise _too_large("the archive holds too many members", members=len(members))
            declared = sum(m.file_size for m in members)
            if declared > budget:
                raise _too_large("the archive expands beyond the limit", declared=declared)
            expanded = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        expanded += len(chunk)
                        if expanded > budget:
                            raise _too_large("the archive expands beyond the limit", expanded=expanded)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise RuleBroken("the archive is damaged or encrypted", {}, "corrupt_document") from exc


def _too_large(message: str, **details: int) -> TooLarge:
    return TooLarge(message, details, "archive_too_large")

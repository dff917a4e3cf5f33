"""Uploaded containers inspected before they are stored: no zip bomb, no macro, and a PDF that is a PDF.

DOCX and XLSX files are ZIP archives. Their members are counted and decompressed in chunks against
the configured budget, so a size forged in the archive's headers cannot hide a bomb; the whole
archive may expand at most ``max_ratio`` times its own size. An archive embedded in one (an object
inserted into a document) is inspected in turn and spends the same budget. A macro-enabled file
(a ``vbaProject.bin`` part, or a macro-enabled content type) is refused: reviewers open these files.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from shared.errors import RuleBroken, TooLarge, Unsupported

CHUNK = 1 << 16
ZIP_MAGIC = b"PK\x03\x04"
MAX_NESTING = 3
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "activex")
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
    budget = _Budget(min(limits.max_bytes, int(len(content) * limits.max_ratio)))
    try:
        _walk_zip(content, limits, budget, 0)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise RuleBroken("the archive is damaged or encrypted", {}, "corrupt_document") from exc


@dataclass
class _Budget:
    """The bytes an upload may still expand to, spent across the archive and those embedded in it."""

    limit: int
    expanded: int = 0

    def spend(self, size: int) -> None:
        self.expanded += size
        if self.expanded > self.limit:
            raise _too_large("the archive expands beyond the limit", expanded=self.expanded)


def _walk_zip(content: bytes, limits: ArchiveLimits, budget: _Budget, depth: int) -> None:
    """Decompress every member against what is left of the budget, and embedded archives in turn."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise _too_large("the archive holds too many members", members=len(members))
        _refuse_macros(archive, members)
        declared = sum(m.file_size for m in members)
        if budget.expanded + declared > budget.limit:
            raise _too_large("the archive expands beyond the limit", declared=declared)
        for member in members:
            nested: bytearray | None = None
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    budget.spend(len(chunk))
                    if nested is None and chunk.startswith(ZIP_MAGIC):
                        nested = bytearray()
                    if nested is not None:
                        nested += chunk
            if nested is not None:
                if depth >= MAX_NESTING:
                    raise _too_large("archives are nested too deeply", depth=depth + 1)
                _walk_zip(bytes(nested), limits, budget, depth + 1)


def _refuse_macros(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse (415) an Office file that carries macros or ActiveX controls."""
    named = [m.filename for m in members if any(p in m.filename.lower() for p in MACRO_PARTS)]
    types = ""
    if "[Content_Types].xml" in archive.namelist():
        with archive.open("[Content_Types].xml") as stream:
            types = stream.read(1 << 20).decode("utf-8", "replace").lower()
    if named or "macroenabled" in types or "vbaproject" in types:
        raise Unsupported(
            "files with macros are not accepted: save it as a plain DOCX or XLSX",
            {"parts": named[:5]},
            "macro_enabled",
        )


def _too_large(message: str, **details: int) -> TooLarge:
    return TooLarge(message, details, "archive_too_large")

"""Documents of filings: stored on disk by the SHA-256 of their bytes, their type read from the bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filetype

from services.submissions.app.archives import inspect_upload
from services.submissions.service import Submissions

if TYPE_CHECKING:
    from services.submissions.app.work import FilingWork
from shared.documents import EXTENSIONS
from shared.errors import RuleBroken, TooLarge, Unsupported

ACCEPTED = EXTENSIONS


def store_document(service: Submissions, content: bytes, name: str) -> dict[str, Any]:
    """Store a document once (same bytes, same hash) and return its reference; refuse other types,
    archives that expand beyond the limits, and PDFs that are not PDFs."""
    if not content:
        raise RuleBroken("the file is empty", {"name": name}, "empty_file")
    if len(content) > service.config.max_upload_bytes:
        raise TooLarge(
            f"the file exceeds {service.config.max_upload_bytes} bytes",
            {"size": len(content)},
            "file_too_large",
        )
    kind = filetype.guess(content)
    media_type = kind.mime if kind is not None else None
    if media_type not in ACCEPTED:
        raise Unsupported(
            "only PDF, DOCX, XLSX, PNG and JPEG files are accepted",
            {"detected": media_type, "name": name},
            "unsupported_file_type",
        )
    inspect_upload(content, media_type, service.config.archive_limits)
    digest = hashlib.sha256(content).hexdigest()
    path = _path(service.documents_dir, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(content)
        os.replace(handle.name, path)  # atomic: a reader never sees half a file
    return {"sha256": digest, "media_type": media_type, "size": len(content), "name": name[:300]}


def document_refs(
    service: Submissions | FilingWork, hashes: Iterable[str], names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Return the references of stored documents with their file names; an unknown hash is a 422."""
    refs = []
    for digest in dict.fromkeys(hashes):
        path = _path(service.documents_dir, digest) if _is_sha256(digest) else None
        if path is None or not path.exists():
            raise RuleBroken(f"no document {digest}: upload it first", {"sha256": digest}, "unknown_document")
        content = path.read_bytes()
        kind = filetype.guess(content)
        refs.append(
            {
                "sha256": digest,
                "media_type": kind.mime if kind else "",
                "size": len(content),
                "name": (names or {}).get(digest, "")[:300],
            }
        )
    return refs


def read_document(service: Submissions, digest: str) -> bytes | None:
    """Return a stored document's bytes, if there is one with that hash."""
    if not _is_sha256(digest):
        return None
    path = _path(service.documents_dir, digest)
    return path.read_bytes() if path.exists() else None


def _path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)

"""The documents the suite accepts, and the names it serves them under (never the uploaded extension)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

EXTENSIONS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/png": "png",
    "image/jpeg": "jpg",
}
"""The types the suite accepts, as detected from the bytes, with the extension each is served under."""

_UNSAFE = re.compile(r"[^\w\- ]+")


def served_name(given: str, media_type: str, fallback: str) -> str:
    """Return a download name: the given name's stem, cleaned, with the extension of the detected type.

    ``bao-cao.html`` holding a PDF is served as ``bao-cao.pdf``; ``bang-diem.xlsm`` as ``bang-diem.xlsx``;
    a name with nothing left after cleaning is the suite's ``fallback``.
    """
    stem = unicodedata.normalize("NFC", given).replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
    stem = " ".join(_UNSAFE.sub(" ", stem).split())[:120].strip(" -_") or fallback
    return f"{stem}.{EXTENSIONS.get(media_type, 'bin')}"


def attachment(name: str) -> str:
    """Return a Content-Disposition for a download the suite names (RFC 6266: quoted, and UTF-8 encoded).

    The quoted ``filename`` is an ASCII spelling (Vietnamese marks dropped, đ as d) for old clients;
    ``filename*`` carries the name itself, percent-encoded, so nothing in a name can add a parameter.
    """
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "._- ;=")) or "tai-ve"
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header

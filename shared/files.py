"""Files the suite keeps under its data directory (databases, keys, mail): readable by its owner only.

Folders are made 0700 and files 0600, whatever the umask; processes that write there set the umask
077 as well, so files made by libraries (SQLite's WAL, a maildir's messages) follow.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Make a missing folder (with its parents) readable by the owner only; an existing one is left."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create a file with mode 0600 if missing (tighten it if not), in a private folder."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a text file with mode 0600 from its first byte."""
    private_file(path)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def keep_private() -> None:
    """Make every file this process creates from now on private (umask 077)."""
    os.umask(PRIVATE_UMASK)

"""The personal-data keys' own way back: an export of the key table, sealed under the master key.

The events come back from Kafka after a lost database, but the keys that open their sealed fields are
not on Kafka (a key on a topic could never be destroyed). So a worker writes the key table, as it is,
to a file sealed under a key derived from the master key (AES-GCM), whenever it changed; a recovery
restores the keys from it, then destroys again every key whose erasure the recovered events record,
so a person erased after the export stays erased.

The file holds what the table holds: keys wrapped by the master key, profiles sealed under each
person's own key, keyed hashes; sealing it as a whole hides who was erased when, and why.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.personal import KeyRing, MasterKeys

log = logging.getLogger(__name__)
MAGIC = b"thidua-keys-1\n"
BINARY = ("wrapped_key",)
TIMES = ("created_at", "erased_at")


def export(conn: sa.Connection, table: sa.Table, master: MasterKeys) -> bytes:
    """Return the key table as a file sealed under the current master key."""
    rows = [
        _portable(dict(row)) for row in conn.execute(table.select().order_by(table.c.subject_id)).mappings()
    ]
    body = json.dumps({"rows": rows}, sort_keys=True).encode()
    nonce = os.urandom(12)
    sealed = AESGCM(master.backup_key(master.current)).encrypt(nonce, body, MAGIC)
    return MAGIC + master.current.encode() + b"\n" + nonce + sealed


def restore(conn: sa.Connection, table: sa.Table, master: MasterKeys, sealed: bytes) -> int:
    """Insert the keys of an export that the table lacks (by subject); return how many came back."""
    if not sealed.startswith(MAGIC):
        raise ValueError("not an export of personal-data keys")
    key_id, _, rest = sealed[len(MAGIC) :].partition(b"\n")
    body = AESGCM(master.backup_key(key_id.decode())).decrypt(rest[:12], rest[12:], MAGIC)
    rows = [_native(row) for row in json.loads(body)["rows"]]
    held = set(conn.execute(sa.select(table.c.subject_id)).scalars())
    missing = [row for row in rows if row["subject_id"] not in held]
    if missing:
        conn.execute(table.insert(), missing)
    return len(missing)


def erase_again(conn: sa.Connection, ring: KeyRing, erasures: Iterable[dict[str, Any]]) -> int:
    """Destroy again the keys whose erasure an event records (an export older than the erasure)."""
    again = 0
    for data in erasures:
        erased_at = data.get("erased_at")
        when = datetime.fromisoformat(erased_at) if isinstance(erased_at, str) else datetime.now(UTC)
        if ring.erase(conn, str(data["subject_id"]), str(data.get("reason") or ""), when):
            again += 1
    return again


def write_if_changed(engine: sa.Engine, table: sa.Table, master: MasterKeys, path: Path) -> bool:
    """Write the sealed export where it is kept (atomically, 0600), when the table changed since."""
    with engine.connect() as conn:
        digest = _digest(conn, table)
        marker = path.with_name(path.name + ".sha256")
        if path.exists() and marker.exists() and marker.read_text() == digest:
            return False
        sealed = export(conn, table, master)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:  # created 0600
        handle.write(sealed)
    os.replace(handle.name, path)
    marker.write_text(digest)
    return True


def run_exports(
    engine: sa.Engine, table: sa.Table, master: MasterKeys, path: Path, stop: threading.Event, every: float
) -> None:
    """Write the export whenever the key table changed, every ``every`` seconds, until stopped."""
    while not stop.is_set():
        try:
            if write_if_changed(engine, table, master, path):
                log.info("personal-data keys exported to %s", path)
        except (sa.exc.DBAPIError, OSError):
            log.warning("personal-data keys: export failed; trying again", exc_info=True)
        stop.wait(every)


def _digest(conn: sa.Connection, table: sa.Table) -> str:
    """Return a hash of the table's rows, to tell whether it changed since the last export."""
    rows = [_portable(dict(r)) for r in conn.execute(table.select().order_by(table.c.subject_id)).mappings()]
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _portable(row: dict[str, Any]) -> dict[str, Any]:
    for name in BINARY:
        if row.get(name) is not None:
            row[name] = base64.b64encode(row[name]).decode()
    for name in TIMES:
        if row.get(name) is not None:
            row[name] = row[name].isoformat()
    return row


def _native(row: dict[str, Any]) -> dict[str, Any]:
    for name in BINARY:
        if row.get(name) is not None:
            row[name] = base64.b64decode(row[name])
    for name in TIMES:
        if row.get(name) is not None:
            row[name] = datetime.fromisoformat(row[name])
    return row

"""The personal-data keys kept apart from the database: exported sealed, and restored by a recovery."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from services.submissions.app.personal import keyring
from services.submissions.service import Submissions
from services.submissions.tables import events, personal_keys
from shared import key_backup


def export_path(service: Submissions) -> Path:
    """Return where the sealed export of the keys is kept."""
    return Path(service.config.key_export)


def export_keys(service: Submissions, stop: threading.Event) -> None:
    """Write the sealed export of the keys whenever they changed, until stopped (a worker loop)."""
    every = service.config.key_export_seconds
    ring = keyring(service)
    key_backup.run_exports(service.engine, personal_keys, ring.master, export_path(service), stop, every)


def restore_keys(service: Submissions) -> list[str]:
    """Bring the keys back from their export after a recovery, then erase again whom the events erased."""
    path = export_path(service)
    if not path.exists():
        return [f"personal-data keys: no export at {path}; sealed values read as erased"]
    ring = keyring(service)
    with service.transaction() as conn:
        restored = key_backup.restore(conn, personal_keys, ring.master, path.read_bytes())
        erasures = conn.execute(
            sa.select(events.c.data).where(events.c.type == "PersonalDataErased")
        ).scalars()
        erased = key_backup.erase_again(conn, ring, list(erasures))
    return [
        f"personal-data keys: {restored} restored from {path}, {erased} erased again as the events record"
    ]

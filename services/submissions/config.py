"""Submissions settings, read from the environment in this one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.submissions.app.archives import ArchiveLimits
from shared.settings import CommonSettings, ConfigError, common_settings, environment

SERVICE = "submissions"


@dataclass(frozen=True)
class SubmissionsSettings:
    """The common settings plus documents, upload limit, integration keys and the watcher's interval."""

    common: CommonSettings
    documents_dir: str
    max_upload_bytes: int
    watch_interval: float
    integration_keys: Mapping[str, str] = field(default_factory=dict)
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    """How far DOCX and XLSX uploads may expand (SUBMISSIONS_ARCHIVE_MAX_MB, _MAX_RATIO, _MAX_MEMBERS)."""
    key_export: str = ""
    """Where the sealed export of the personal-data keys is kept (SUBMISSIONS_KEY_EXPORT; keep it with the
    backups, not beside the database), written every SUBMISSIONS_KEY_EXPORT_SECONDS when keys changed."""
    key_export_seconds: float = 60.0
    personal_keys: tuple[str, ...] = field(default=(), repr=False)
    """The master key that wraps personal data keys, then the previous one while rotating
    (THIDUA_PERSONAL_KEY, else THIDUA_DATA_KEY, else the token key; THIDUA_PERSONAL_KEY_PREVIOUS)."""


def _keys_file(data_dir: str) -> str:
    """Return the keys the local demonstration wrote (``<data dir>/integration-keys.json``), or none."""
    path = Path(data_dir) / "integration-keys.json"
    return path.read_text() if path.exists() else "{}"


def load_settings(environ: Mapping[str, str] | None = None) -> SubmissionsSettings:
    """Return the submissions service's settings."""
    env = environment(environ)
    common = common_settings(SERVICE, env)
    data_dir = env.get("THIDUA_DATA_DIR", "var")
    try:
        keys = json.loads(env.get("THIDUA_INTEGRATION_KEYS") or _keys_file(data_dir))
        max_mb = float(env.get("SUBMISSIONS_MAX_UPLOAD_MB", "20"))
        interval = float(env.get("SUBMISSIONS_WATCH_INTERVAL", "60"))
        export_seconds = float(env.get("SUBMISSIONS_KEY_EXPORT_SECONDS", "60"))
        archive_limits = ArchiveLimits(
            int(float(env.get("SUBMISSIONS_ARCHIVE_MAX_MB", "100")) * 1024 * 1024),
            float(env.get("SUBMISSIONS_ARCHIVE_MAX_RATIO", "200")),
            int(env.get("SUBMISSIONS_ARCHIVE_MAX_MEMBERS", "2000")),
        )
    except ValueError as exc:
        raise ConfigError(f"a submissions setting is malformed: {exc}") from exc
    if not isinstance(keys, dict) or not all(isinstance(v, str) and len(v) >= 32 for v in keys.values()):
        raise ConfigError("THIDUA_INTEGRATION_KEYS must map system codes to keys of at least 32 characters")
    return SubmissionsSettings(
        common=common,
        documents_dir=env.get("SUBMISSIONS_DOCUMENTS_DIR", f"{data_dir}/documents"),
        max_upload_bytes=int(max_mb * 1024 * 1024),
        watch_interval=interval,
        integration_keys=keys,
        archive_limits=archive_limits,
        key_export=env.get("SUBMISSIONS_KEY_EXPORT", f"{data_dir}/personal-keys.sealed"),
        key_export_seconds=export_seconds,
        personal_keys=tuple(
            key
            for key in (
                env.get("THIDUA_PERSONAL_KEY") or env.get("THIDUA_DATA_KEY") or common.jwt_secret,
                env.get("THIDUA_PERSONAL_KEY_PREVIOUS", ""),
            )
            if key
        ),
    )

"""Scoring settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping

from shared.settings import CommonSettings, common_settings

SERVICE = "scoring"


def load_settings(environ: Mapping[str, str] | None = None) -> CommonSettings:
    """Return the scoring service's settings."""
    return common_settings(SERVICE, environ)

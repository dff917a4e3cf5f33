"""Scoring settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.settings import CommonSettings, common_settings, environment

SERVICE = "scoring"


@dataclass(frozen=True)
class ScoringSettings:
    """The common settings (the scoring has none of its own yet)."""

    common: CommonSettings


def load_settings(environ: Mapping[str, str] | None = None) -> ScoringSettings:
    """Return the scoring service's settings."""
    env = environment(environ)
    return ScoringSettings(common=common_settings(SERVICE, env))

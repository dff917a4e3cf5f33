"""Registry settings, read from the environment in this one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from shared.settings import CommonSettings, common_settings

SERVICE = "registry"


@dataclass(frozen=True)
class RegistrySettings:
    """The common settings (the registry has none of its own yet)."""

    common: CommonSettings


def load_settings(environ: Mapping[str, str] | None = None) -> RegistrySettings:
    """Return the registry service's settings."""
    env = os.environ if environ is None else environ
    return RegistrySettings(common=common_settings(SERVICE, env))

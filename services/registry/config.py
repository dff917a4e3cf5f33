"""Registry settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.settings import CommonSettings, common_settings, environment

SERVICE = "registry"


@dataclass(frozen=True)
class RegistrySettings:
    """The common settings (the registry has none of its own yet)."""

    common: CommonSettings


def load_settings(environ: Mapping[str, str] | None = None) -> RegistrySettings:
    """Return the registry service's settings."""
    env = environment(environ)
    return RegistrySettings(common=common_settings(SERVICE, env))

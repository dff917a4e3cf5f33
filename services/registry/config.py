"""Registry settings, read from the environment in this one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.settings import CommonSettings, common_settings, environment

SERVICE = "registry"


@dataclass(frozen=True)
class RegistrySettings:
    """The common settings, and how the Academy's decisions are signed."""

    common: CommonSettings
    signing_key_file: str = ""
    """The Academy's signing key (REGISTRY_SIGNING_KEY_FILE, PEM); none: a local demonstration authority."""
    signing_cert_file: str = ""
    """Its certificate (REGISTRY_SIGNING_CERT_FILE, PEM)."""
    signing_chain_files: tuple[str, ...] = ()
    """The certificates of its issuers (REGISTRY_SIGNING_CHAIN_FILES, comma-separated PEM files)."""
    data_dir: Path = Path("var")
    """Where the demonstration authority is made when no key is named (THIDUA_DATA_DIR)."""
    font_dir: Path = Path("/usr/share/fonts/truetype/dejavu")
    """Where DejaVu Serif is, for the signed PDF (PAPER_FONT_DIR; Debian's fonts-dejavu-core, -extra)."""


def load_settings(environ: Mapping[str, str] | None = None) -> RegistrySettings:
    """Return the registry service's settings."""
    env = environment(environ)
    chain = tuple(p.strip() for p in env.get("REGISTRY_SIGNING_CHAIN_FILES", "").split(",") if p.strip())
    return RegistrySettings(
        common=common_settings(SERVICE, env),
        signing_key_file=env.get("REGISTRY_SIGNING_KEY_FILE", ""),
        signing_cert_file=env.get("REGISTRY_SIGNING_CERT_FILE", ""),
        signing_chain_files=chain,
        data_dir=Path(env.get("THIDUA_DATA_DIR", "var")),
        font_dir=Path(env.get("PAPER_FONT_DIR", "/usr/share/fonts/truetype/dejavu")),
    )

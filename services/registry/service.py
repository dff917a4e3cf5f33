"""The registry's service type: its live dependencies and its settings (built by bootstrap.py only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from services.registry.config import RegistrySettings
from services.registry.signing import PaperSigner, SigningFiles, demo_authority
from shared.service import ServiceContext

log = logging.getLogger(__name__)


@dataclass
class Registry(ServiceContext):
    """The registry's database, event store and bus, with its own settings."""

    config: RegistrySettings = field(kw_only=True, repr=False)

    @cached_property
    def paper_signer(self) -> PaperSigner | None:
        """Return what signs issued decisions: the named key, else a local demonstration authority."""
        config = self.config
        if config.signing_key_file and config.signing_cert_file:
            chain = tuple(Path(p) for p in config.signing_chain_files)
            files = SigningFiles(Path(config.signing_key_file), Path(config.signing_cert_file), chain)
            return PaperSigner(files, config.font_dir)
        try:
            return PaperSigner(demo_authority(config.data_dir / "signing"), config.font_dir)
        except OSError:
            log.warning("no signing key named and none can be made here: decisions are issued unsigned")
            return None

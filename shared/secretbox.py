"""Secrets kept at rest (webhook signing secrets): sealed with a key from the environment.

The key is derived (HKDF-SHA256) from THIDUA_DATA_KEY, or from the token signing secret when no data
key is set, so a copy of the database alone reveals no secret. Sealed values carry a prefix; a value
without it was stored before sealing and is read as it is.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "fernet:"


class SecretBox:
    """Seals and opens secrets stored in a service's database."""

    def __init__(self, key_material: str):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"thidua secrets at rest").derive(
            key_material.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        """Return the stored form of a secret."""
        return PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """Return the secret a stored value holds."""
        if not stored.startswith(PREFIX):
            return stored
        return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()

"""Encryption for personal data at rest (callback numbers in Redis): Fernet, key from env."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken


class SealError(Exception):
    """Data that cannot be opened with this key (wrong key, or tampered)."""


class Sealer:
    """Seals short strings with an authenticated cipher, so Redis never holds them in clear."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key

    def tag(self, text: str) -> str:
        """A keyed hash for lookups (same text, same tag; the text is not recoverable)."""
        return lookup_tag(self._key, text)

    @classmethod
    def from_env(cls, variable: str, environ: Mapping[str, str] = os.environ) -> Sealer:
        key = environ.get(variable)
        if not key:
            raise SealError(
                f"environment variable {variable} is not set; create a key with "
                "`switchboard gen-key`"
            )
        try:
            return cls(key.encode())
        except ValueError:
            raise SealError(
                f"{variable} is not a valid key (32 url-safe base64 bytes: `switchboard gen-key`)"
            ) from None

    @classmethod
    def generated(cls) -> Sealer:
        """A throwaway key (the demo; tests)."""
        return cls(Fernet.generate_key())

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SealError("sealed value does not open with this key") from None


def lookup_tag(key: bytes, text: str) -> str:
    """A keyed hash of `text`: finds a caller's earlier promises without storing the number."""
    return hmac.new(key, b"lookup:" + text.encode(), hashlib.sha256).hexdigest()[:32]

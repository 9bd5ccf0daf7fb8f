"""Secrets at rest: AES-256-GCM under a master key, bound to the row they belong to."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipeline.errors import ConfigurationError, PermanentError
from pipeline.settings import Settings

log = logging.getLogger(__name__)

_NONCE_BYTES = 12
_KEY_BYTES = 32
MASTER_KEY_FILE = "master.key"


class SealedDataError(PermanentError):
    """A sealed value could not be opened: wrong master key, or the data was altered."""


class Sealer:
    """Seals and opens small secrets; ``context`` (a row id) is authenticated, not stored.

    Note:
        Rotating the master key itself means re-sealing every row; there is no
        command for it yet.
    """

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != _KEY_BYTES:
            raise ConfigurationError("the signing master key must be 32 bytes")
        self._aead = AESGCM(master_key)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        """A random nonce followed by the ciphertext and tag."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        """The plaintext of ``sealed``; raises SealedDataError if it does not authenticate."""
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, context.encode())
        except InvalidTag as error:
            raise SealedDataError(f"sealed value for {context!r} does not open") from error


def new_master_key() -> str:
    """A fresh master key in the form PHISHX_SIGNING_MASTER_KEY expects (base64url)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(_KEY_BYTES)).decode()


def sealer_for(settings: Settings) -> Sealer:
    """The settings' master key; in the embedded mode, a key file in the data dir.

    Raises ConfigurationError when a broker is configured but no master key is:
    processes on several hosts would otherwise seal with different keys.
    """
    if settings.signing_master_key is not None:
        return Sealer(_decode(settings.signing_master_key.get_secret_value()))
    if not settings.embedded:
        raise ConfigurationError("PHISHX_SIGNING_MASTER_KEY is required with a broker")
    return Sealer(_decode(_key_file(settings.data_dir)))


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.strip().encode())
    except ValueError as error:
        raise ConfigurationError("the signing master key is not base64url") from error


def _key_file(data_dir: Path) -> str:
    path = data_dir / MASTER_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_master_key())
        log.info("master_key_created path=%s", path)
    return path.read_text()

"""HMAC-SHA256 request signing over method, path, timestamp, nonce and body hash.

The signed string is ``METHOD \\n path \\n timestamp \\n nonce \\n sha256(body)``; the
signature is its HMAC-SHA256 under the shared secret, base64-encoded, sent with the
other parts in the ``x-phishx-*`` headers. ``x-phishx-key-id`` names the key version
so a receiver picks the right key while two overlap during a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.security.nonces import MemoryNonceStore, NonceStore

SIGNATURE = "x-phishx-signature"
TIMESTAMP = "x-phishx-timestamp"
NONCE = "x-phishx-nonce"
BODY_HASH = "x-phishx-body-hash"
KEY_ID = "x-phishx-key-id"
REQUIRED_HEADERS = (SIGNATURE, TIMESTAMP, NONCE, BODY_HASH)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One version of a shared secret; ``kid`` travels in the key-id header."""

    kid: str
    secret: str = field(repr=False)


def body_hash(body: bytes) -> str:
    """The hex SHA-256 of the exact body bytes."""
    return hashlib.sha256(body).hexdigest()


def signature(secret: str, method: str, path: str, *parts: str) -> str:
    """The base64 HMAC-SHA256 of the canonical string; ``parts``: timestamp, nonce, digest."""
    canonical = "\n".join((method.upper(), path, *parts)).encode()
    mac = hmac.new(secret.encode(), canonical, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def canonical_json(json_data: Any) -> bytes:
    """Compact, key-sorted JSON bytes: the body that gets signed and sent."""
    return json.dumps(json_data, sort_keys=True, separators=(",", ":")).encode()


class RequestSigner:
    """Signs outgoing requests; every call gets a fresh nonce and the current time."""

    @staticmethod
    def sign_request(
        body: bytes,
        secret_key: str,
        method: str,
        path: str,
        *,
        key_id: str | None = None,
        timestamp: int | None = None,
    ) -> dict[str, str]:
        """The signature headers for ``body`` sent as ``method path``."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_urlsafe(18)
        digest = body_hash(body)
        headers = {
            SIGNATURE: signature(secret_key, method, path, stamp, nonce, digest),
            TIMESTAMP: stamp,
            NONCE: nonce,
            BODY_HASH: digest,
        }
        if key_id is not None:
            headers[KEY_ID] = key_id
        return headers

    @staticmethod
    def sign_json_request(
        json_data: Any,
        secret_key: str,
        method: str,
        path: str,
        *,
        key_id: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The JSON body and its headers, content type included."""
        body = canonical_json(json_data)
        headers = RequestSigner.sign_request(
            body, secret_key, method, path, key_id=key_id, timestamp=timestamp
        )
        return body, {"content-type": "application/json", **headers}


class RequestVerifier:
    """Checks signed requests: headers, freshness, body hash, signature, then the nonce.

    A request older than ``max_age`` seconds or more than ``max_skew`` seconds in the
    future is refused; nonces are remembered for the whole window, so a replay within
    it is refused too. Errors are short reason codes that never contain a secret.
    The nonce is claimed only after the signature checks out, so forged requests
    cannot use up nonces.
    """

    def __init__(
        self,
        nonces: NonceStore | None = None,
        *,
        max_age: float = 300.0,
        max_skew: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.nonces = nonces or MemoryNonceStore()
        self.max_age = max_age
        self.max_skew = max_skew
        self._clock = clock

    def verify_headers(
        self, body: bytes, headers: Mapping[str, str], secret_key: str, method: str, path: str
    ) -> tuple[bool, str | None]:
        """``(True, None)`` for a valid request, else ``(False, reason)``."""
        return self.verify_with_keys(body, headers, [SigningKey("", secret_key)], method, path)

    def verify_with_keys(
        self,
        body: bytes,
        headers: Mapping[str, str],
        keys: Sequence[SigningKey],
        method: str,
        path: str,
    ) -> tuple[bool, str | None]:
        """Like :meth:`verify_headers`, accepting any of ``keys`` (a rotation's overlap).

        When the request names a key id, only the key with that id is tried.
        """
        found = {name.lower(): value for name, value in headers.items()}
        missing = [name for name in REQUIRED_HEADERS if not found.get(name)]
        if missing:
            return False, f"missing_header:{missing[0]}"
        problem = self._check_time(found[TIMESTAMP]) or self._check_body(body, found[BODY_HASH])
        if problem:
            return False, problem
        candidates = _candidates(keys, found.get(KEY_ID))
        if not candidates:
            return False, "unknown_key"
        if not any(self._matches(key, found, method, path) for key in candidates):
            return False, "bad_signature"
        ttl = self.max_age + self.max_skew
        if not self.nonces.claim(found[NONCE], ttl):
            return False, "replayed_nonce"
        return True, None

    def _check_time(self, stamp: str) -> str | None:
        if not stamp.isdigit():
            return "malformed_timestamp"
        age = self._clock() - int(stamp)
        if age > self.max_age:
            return "stale_timestamp"
        if age < -self.max_skew:
            return "future_timestamp"
        return None

    @staticmethod
    def _check_body(body: bytes, claimed: str) -> str | None:
        if not hmac.compare_digest(body_hash(body).encode(), claimed.lower().encode()):
            return "body_hash_mismatch"
        return None

    @staticmethod
    def _matches(key: SigningKey, found: Mapping[str, str], method: str, path: str) -> bool:
        expected = signature(
            key.secret, method, path, found[TIMESTAMP], found[NONCE], found[BODY_HASH].lower()
        )
        return hmac.compare_digest(expected.encode(), found[SIGNATURE].encode())


def _candidates(keys: Sequence[SigningKey], kid: str | None) -> list[SigningKey]:
    if kid is None:
        return list(keys)
    return [key for key in keys if key.kid == kid or not key.kid]

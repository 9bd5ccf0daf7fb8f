"""Bearer-key authentication: keys are stored as SHA-256 digests, compared in constant time.

Note:
    Keys come from ``PHISHX_API_KEY_HASHES`` and carry no scopes: any accepted key
    opens every protected route. Database-stored, scoped keys are meant to replace
    this dependency without changing the routes that use it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from pipeline.observability.metrics import metrics
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def key_digest(key: str) -> str:
    """The hex SHA-256 digest under which a key is configured."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def accepted(key: str, digests: list[str]) -> bool:
    """True when ``key`` matches a configured digest; every digest is compared."""
    candidate = key_digest(key).encode()
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(candidate, digest.strip().lower().encode())
    return matched


def _refuse(reason: str) -> HTTPException:
    metrics().auth_failures.labels(reason).inc()
    log.warning("api_auth_refused reason=%s", reason)
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer key is required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_api_key(request: Request) -> None:
    """FastAPI dependency: refuse the request unless it carries an accepted bearer key."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if not header:
        raise _refuse("missing")
    if scheme.lower() != "bearer" or not key.strip():
        raise _refuse("malformed")
    if not settings.api_key_hashes:
        raise _refuse("no_keys_configured")
    if not accepted(key.strip(), settings.api_key_hashes):
        raise _refuse("invalid")


Authenticated = Annotated[None, Depends(require_api_key)]

"""Bearer-key authentication: keys are stored as SHA-256 digests, compared in constant time.

Keys come from ``PHISHX_API_KEY_HASHES`` (every scope) or from the database
(``phishx keys create --scope submit,read``), where each key carries its scopes.
``require_scope`` guards the submission, result and admin routes with scopes and
per-key rate limits; ``require_api_key`` accepts a settings key or a stored key
with the ``read`` or ``admin`` scope.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.security import GatewaySecurity, Principal, Refusal
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
    if accepted(key.strip(), settings.api_key_hashes) or _stored_reader(request, key.strip()):
        return
    raise _refuse("invalid" if settings.api_key_hashes else "no_keys_configured")


def _stored_reader(request: Request, key: str) -> bool:
    security: GatewaySecurity | None = getattr(request.app.state, "security", None)
    if security is None:
        return False
    stored = security.verified_keys.authenticate(key)
    return stored is not None and not stored.revoked and bool({"read", "admin"} & stored.scopes)


Authenticated = Annotated[None, Depends(require_api_key)]


def require_scope(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits a bearer key holding ``scope``, within its rate limit.

    401 for a missing, unknown or revoked key, 403 for a key without the scope,
    429 with ``Retry-After`` when the key's rate limit is exhausted.
    """

    async def dependency(request: Request) -> Principal:
        security: GatewaySecurity = request.app.state.security
        try:
            return await security.authorize(request.headers.get("authorization", ""), scope)
        except Refusal as refusal:
            raise _answer(refusal) from None

    return dependency


def _answer(refusal: Refusal) -> HTTPException:
    if refusal.status == status.HTTP_429_TOO_MANY_REQUESTS:
        wait = str(max(1, round(refusal.retry_after + 0.5)))
        return HTTPException(refusal.status, "rate limit exceeded", {"Retry-After": wait})
    if refusal.status == status.HTTP_403_FORBIDDEN:
        return HTTPException(refusal.status, "the key lacks the scope this route needs")
    return HTTPException(
        refusal.status, "a valid bearer key is required", {"WWW-Authenticate": "Bearer"}
    )


SubmitScope = Annotated[Principal, Depends(require_scope("submit"))]
ReadScope = Annotated[Principal, Depends(require_scope("read"))]
AdminScope = Annotated[Principal, Depends(require_scope("admin"))]

"""Operator routes (scope ``admin``): inspect and reset circuit breakers."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from api.auth import AdminScope
from pipeline.resilience import all_breakers, get_breaker
from pipeline.resilience.breaker import CircuitBreaker
from pipeline.resilience.setup import configure_breakers

log = logging.getLogger(__name__)
router = APIRouter(prefix="/admin", tags=["admin"])

_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
# Breakers named after a channel or an endpoint, created where they are used.
_DYNAMIC_PREFIXES = ("alert_", "webhook_")
_configured = threading.Lock()


@router.get("/circuit-breakers")
def list_breakers(request: Request, _: AdminScope) -> dict[str, Any]:
    """Every breaker this gateway knows, with its stored state."""
    _configure(request)
    return {name: breaker.snapshot().as_dict() for name, breaker in all_breakers().items()}


@router.post("/circuit-breaker/{name}/reset")
def reset_breaker(name: str, request: Request, principal: AdminScope) -> dict[str, Any]:
    """Close the circuit ``name`` and forget its counts, for every process sharing it."""
    breaker = _breaker(request, name)
    breaker.reset()
    log.warning("breaker_reset_by_admin circuit=%s key_id=%s", name, principal.key_id)
    return {"name": name, **breaker.snapshot().as_dict()}


def _breaker(request: Request, name: str) -> CircuitBreaker:
    _configure(request)
    known = all_breakers()
    if name in known:
        return known[name]
    if _NAME.match(name) and name.startswith(_DYNAMIC_PREFIXES):
        return get_breaker(name)
    raise HTTPException(status_code=404, detail="no such circuit breaker")


def _configure(request: Request) -> None:
    """Share the workers' breaker store once per gateway process."""
    with _configured:
        if not getattr(request.app.state, "breakers_configured", False):
            configure_breakers(request.app.state.settings)
            request.app.state.breakers_configured = True

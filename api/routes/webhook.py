"""The gateway's own receiver of signed decision webhooks (PhishX to PhishX, tests)."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from api.security import GatewaySecurity
from pipeline.observability.metrics import metrics
from pipeline.security.counters import AUTH_FAILURES

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])

PATH = "/webhook/decision"


@router.post(PATH)
async def receive_decision(request: Request) -> dict[str, Any]:
    """Verify the x-phishx-* signature; 401 with a logged reason when it fails."""
    security: GatewaySecurity = request.app.state.security
    body = await request.body()
    valid, reason = await run_in_threadpool(_verify, security, body, dict(request.headers))
    if not valid:
        metrics().auth_failures.labels("signature").inc()
        security.counter.incr(AUTH_FAILURES)
        log.warning("webhook_refused reason=%s size=%d", reason, len(body))
        raise HTTPException(status_code=401, detail="invalid signature")
    try:
        decision = json.loads(body)
    except ValueError as error:
        raise HTTPException(status_code=400, detail="the body is not JSON") from error
    if not isinstance(decision, dict):
        raise HTTPException(status_code=400, detail="the body is not a JSON object")
    log.info(
        "webhook_received analysis_id=%s decision=%s",
        str(decision.get("analysis_id"))[:64], str(decision.get("decision"))[:16],
    )  # fmt: skip
    return {"status": "received"}


def _verify(
    security: GatewaySecurity, body: bytes, headers: dict[str, str]
) -> tuple[bool, str | None]:
    keys = security.signing_keys.verification_keys(security.settings.webhook_key_id)
    if not keys:
        return False, "unknown_key"
    return security.verifier.verify_with_keys(body, headers, keys, "POST", PATH)

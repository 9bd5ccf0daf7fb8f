"""Submitting emails and reading their verdicts (scopes ``submit`` and ``read``)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from kombu.exceptions import OperationalError as BrokerOperationalError
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError as DatabaseOperationalError

from api.auth import ReadScope, SubmitScope
from pipeline.engine import AnalysisEngine
from pipeline.errors import CircuitOpenError, TransientError
from pipeline.report import analysis_json
from pipeline.storage.repository import DONE, AnalysisView
from tasks.group_submit import GroupSubmitter

log = logging.getLogger(__name__)
router = APIRouter(tags=["emails"])

_POLL_SECONDS = 0.1
# Database and broker outages: the producer should send the email again later.
_UNAVAILABLE = (
    CircuitOpenError, TransientError, DatabaseOperationalError, InterfaceError,
    BrokerOperationalError,
)  # fmt: skip
_RETRY_AFTER_SECONDS = 5
_RAW_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")
_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["raw_base64"],
                    "properties": {"raw_base64": {"type": "string", "format": "byte"}},
                }
            },
        },
    }
}


class Accepted(BaseModel):
    """The analysis a submission was queued as."""

    analysis_id: str
    sha256: str
    status: str


class Indicator(BaseModel):
    """One contribution to the score."""

    name: str
    score: float
    evidence: str
    stage: str


class EmailResult(BaseModel):
    """An analysis: pending, or done with its decision, score and indicators."""

    analysis_id: str
    sha256: str
    message_id: str
    status: str
    decision: str | None
    score: float | None
    indicators: list[Indicator]
    degraded: list[Any]


@router.post("/emails", status_code=202, response_model=Accepted, openapi_extra=_BODY_DOC)
async def submit_email(request: Request, principal: SubmitScope) -> Accepted:
    """Store a raw RFC 5322 email once and queue its analysis; 202 with the analysis id."""
    raw = _raw_email(request.headers.get("content-type", ""), await request.body())
    submitter: GroupSubmitter = request.app.state.submitter
    try:
        submitted = await asyncio.wrap_future(submitter.submit(raw))
    except _UNAVAILABLE as error:
        log.warning("email_submit_unavailable error=%s", type(error).__name__)
        headers = {"Retry-After": str(_RETRY_AFTER_SECONDS)}
        raise HTTPException(503, "storage or broker unavailable", headers=headers) from error
    status = "pending" if submitted.result is not None else DONE
    log.info("email_submitted analysis_id=%s key_id=%s", submitted.analysis_id, principal.key_id)
    return Accepted(analysis_id=submitted.analysis_id, sha256=submitted.sha256, status=status)


@router.get("/emails/{analysis_id}", response_model=EmailResult)
async def read_email(
    analysis_id: str,
    _: ReadScope,
    request: Request,
    wait: float = Query(0.0, ge=0, le=600, description="Seconds to wait for the verdict."),
) -> dict[str, Any]:
    """The analysis; with ``wait``, hold the answer until it is done (capped by settings)."""
    cap = request.app.state.settings.result_wait_max
    deadline = time.monotonic() + min(wait, cap)
    engine = _engine(request)
    view = await _report(engine, analysis_id)
    while view.status != DONE and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_SECONDS)
        view = await _report(engine, analysis_id)
    return analysis_json(view)


def _engine(request: Request) -> AnalysisEngine:
    """The gateway's reader of analyses, on the gateway's own settings."""
    engine: AnalysisEngine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        engine = AnalysisEngine(request.app.state.settings)
        request.app.state.engine = engine
    return engine


async def _report(engine: AnalysisEngine, analysis_id: str) -> AnalysisView:
    if len(analysis_id) > 64:
        raise HTTPException(status_code=404, detail="no such analysis")
    view = await run_in_threadpool(engine.report, analysis_id)
    if view is None:
        raise HTTPException(status_code=404, detail="no such analysis")
    return view


def _raw_email(content_type: str, body: bytes) -> bytes:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        raw = _from_json(body)
    elif media in _RAW_TYPES or not media:
        raw = body
    else:
        raise HTTPException(415, "send message/rfc822 or application/json")
    if not raw:
        raise HTTPException(422, "the email is empty")
    return raw


def _from_json(body: bytes) -> bytes:
    try:
        document = json.loads(body)
        encoded = document["raw_base64"]
        return base64.b64decode(encoded, validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise HTTPException(422, 'expected {"raw_base64": <base64 email>}') from error

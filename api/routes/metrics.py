"""Metric routes: the Prometheus exposition and a summary for people (bearer key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Authenticated
from api.summary import summarize
from pipeline.observability import exposition

router = APIRouter(tags=["metrics"])


@router.get("/metrics")
def prometheus_metrics(request: Request) -> Response:
    """Every metric of this gateway (all its processes in multiprocess mode)."""
    snapshot: exposition.Snapshot = request.app.state.snapshot
    body, content_type = snapshot.get()
    return Response(body, media_type=content_type)


@router.get("/metrics/summary")
def metrics_summary(_: Authenticated) -> dict[str, Any]:
    """Totals, percentiles and current values of the main metrics."""
    return summarize(exposition.collecting_registry())

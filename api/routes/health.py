"""Health routes: ``/health`` (cheap), ``/health/full``, ``/ready`` and ``/alive``."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pipeline.observability.health import HealthReport, Status
from pipeline.observability.probes import HealthProbes

router = APIRouter(tags=["health"])


def _probes(request: Request) -> HealthProbes:
    probes: HealthProbes = request.app.state.probes
    return probes


def _answer(report: HealthReport) -> JSONResponse:
    code = 503 if report.status is Status.UNHEALTHY else 200
    return JSONResponse(report.as_dict(), status_code=code)


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """Database and broker only; 503 when either is down."""
    return _answer(_probes(request).cheap())


@router.get("/health/full")
def health_full(request: Request) -> JSONResponse:
    """Every component, workers included; 503 when any is UNHEALTHY."""
    return _answer(_probes(request).full())


@router.get("/ready")
def ready(request: Request) -> JSONResponse:
    """Ready for traffic when the database and broker answer."""
    report = _probes(request).cheap()
    is_ready = report.status is not Status.UNHEALTHY
    body = {"status": "ready" if is_ready else "not_ready", **_brief(report)}
    return JSONResponse(body, status_code=200 if is_ready else 503)


@router.get("/alive")
def alive(request: Request) -> dict[str, Any]:
    """The process serves requests; touches nothing else."""
    return {"status": "alive", "uptime_s": round(time.time() - request.app.state.started, 1)}


def _brief(report: HealthReport) -> dict[str, Any]:
    return {
        "components": {name: item.status.value for name, item in report.components.items()},
        "critical_issues": report.critical_issues,
    }

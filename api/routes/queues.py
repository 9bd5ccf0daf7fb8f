"""Queue status read from the broker (bearer key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from api.auth import Authenticated
from pipeline.observability.health import Status
from pipeline.observability.probes import HealthProbes
from pipeline.observability.queues import record_depths

router = APIRouter(tags=["queues"])


@router.get("/queue/status")
def queue_status(request: Request, _: Authenticated) -> dict[str, Any]:
    """Messages waiting per queue, judged against the warning and critical depths."""
    probes: HealthProbes = request.app.state.probes
    if probes.reader is None:
        raise HTTPException(status_code=404, detail="no broker queues in embedded mode")
    depths = probes.reader.depths(probes.queues)
    record_depths(depths)
    warning = probes.settings.queue_depth_warning
    critical = probes.settings.queue_depth_critical
    return {
        "status": _status(depths, warning, critical).value,
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "queues": depths,
        "total": sum(depths.values()),
        "thresholds": {"warning": warning, "critical": critical},
    }


def _status(depths: dict[str, int], warning: int, critical: int) -> Status:
    deepest = max(depths.values(), default=0)
    if deepest > critical:
        return Status.UNHEALTHY
    return Status.DEGRADED if deepest > warning else Status.HEALTHY

"""Serving the gateway with uvicorn, in one process or several."""

from __future__ import annotations

import logging

import uvicorn

from pipeline.observability import exposition
from pipeline.settings import get_settings

log = logging.getLogger(__name__)

_WORKER_STARTUP_SECONDS = 60


def serve(host: str, port: int, workers: int = 1) -> None:
    """Run the gateway until interrupted.

    With several workers, metrics switch to multiprocess mode before uvicorn
    starts them, so ``/metrics`` on any of them shows the whole gateway.
    """
    if workers > 1:
        exposition.enable_multiprocess(get_settings().metrics_dir)
    log.info("api_serving host=%s port=%d workers=%d", host, port, workers)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=get_settings().log_level.lower(),
        access_log=False,
        # A worker imports the whole analysis stack before it answers its supervisor;
        # on a busy host that can take longer than uvicorn's 5 s default.
        timeout_worker_healthcheck=_WORKER_STARTUP_SECONDS,
    )

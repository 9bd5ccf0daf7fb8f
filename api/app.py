"""The gateway application factory."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from api.limits import BodySizeLimit
from api.middleware import RequestMetrics
from api.routes import admin, emails, health, metrics, queues, webhook
from api.security import GatewaySecurity
from pipeline.observability import exposition, feeds
from pipeline.observability.probes import HealthProbes
from pipeline.observability.queues import reader_for
from pipeline.observability.sampler import Sampler
from pipeline.settings import Settings, get_settings
from tasks.flow import submit_many
from tasks.group_submit import GroupSubmitter
from tasks.health import build_probes, control_app, queue_names

log = logging.getLogger(__name__)

# The event loop and the group-submit thread share the GIL. CPython makes a waiting
# thread wait up to 5 ms before it takes the GIL from a busy one; a shorter interval
# keeps a request on the loop from queueing behind a group being written.
_GIL_SWITCH_SECONDS = 0.001


def create_app(settings: Settings | None = None, *, sample: bool = True) -> FastAPI:
    """The gateway for ``settings`` (default: the process settings).

    With ``sample`` the gateway reads queue depth and breaker gauges on a timer
    while it runs. Nothing connects until the first request or the start-up.
    """
    settings = settings or get_settings()
    exposition.adopt_environment()
    feeds.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sys.setswitchinterval(_GIL_SWITCH_SECONDS)
        sampler = _sampler(app.state.probes, settings) if sample else None
        # Concurrent submissions share transactions and broker connections.
        app.state.submitter = GroupSubmitter(app.state.submit_group)
        if exposition.multiprocess_directory() is not None:
            app.state.snapshot.start()
        log.info("api_started sampler=%s", sampler is not None)
        try:
            yield
        finally:
            if sampler is not None:
                sampler.stop()
            app.state.snapshot.stop()
            app.state.probes.close()
            app.state.submitter.close()
            await app.state.security.aclose()

    app = FastAPI(title="PhishX gateway", lifespan=lifespan)
    app.state.settings = settings
    app.state.started = time.time()
    app.state.probes = probes_for(settings)
    app.state.snapshot = exposition.Snapshot()
    app.state.security = GatewaySecurity(settings)
    # Verdicts are read from the database, so the gateway never waits on a Celery result.
    app.state.submit_group = partial(submit_many, track_result=False)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(RequestMetrics)
    for module in (health, metrics, queues, emails, admin, webhook):
        app.include_router(module.router)
    return app


def probes_for(settings: Settings) -> HealthProbes:
    """The health probes of the gateway; the full report asks the workers."""
    return build_probes(control_app(settings), settings)


def _sampler(probes: HealthProbes, settings: Settings) -> Sampler | None:
    if probes.reader is None:
        return None
    names = queue_names(settings)
    # The gateway samples with a reader of its own: the probes' reader serves requests.
    reader = reader_for(settings.effective_broker_url, settings.health_timeout)
    return Sampler(reader, names, settings.queue_sample_interval).start()

"""Request metrics for every gateway call, as plain ASGI middleware (no body buffering)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.observability.metrics import metrics


def endpoint_label(scope: Scope) -> str:
    """The matched route's path template (``/health/full``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestMetrics:
    """Counts requests and observes latency and sizes by route template and method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, then record what it cost."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = metrics()
        began = time.perf_counter()
        sent: dict[str, Any] = {"status": 500, "bytes": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        current.api_in_progress.inc()
        try:
            await self.app(scope, receive, counting_send)
        finally:
            current.api_in_progress.dec()
            _record(scope, sent, time.perf_counter() - began)


def _record(scope: Scope, sent: dict[str, Any], elapsed: float) -> None:
    current = metrics()
    endpoint, method = endpoint_label(scope), scope.get("method", "GET")
    current.api_requests_total.labels(endpoint, method, str(sent["status"])).inc()
    current.api_request_duration.labels(endpoint, method).observe(elapsed)
    current.api_response_size.labels(endpoint, method).observe(sent["bytes"])
    length = dict(scope.get("headers") or ()).get(b"content-length", b"0")
    size = int(length) if length.isdigit() else 0
    current.api_request_size.labels(endpoint, method).observe(size)

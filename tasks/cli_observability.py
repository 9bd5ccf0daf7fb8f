"""The ``phishx health`` and ``phishx api`` subcommands.

``phishx health`` prints the report as JSON and exits 0, 1 or 2 for HEALTHY,
DEGRADED or UNHEALTHY; ``--alive WORKER`` only checks that worker's heartbeat,
which is what container probes call instead of ``celery inspect ping``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from pipeline.observability.health import Status
from pipeline.settings import get_settings


def add_commands(commands: Any) -> None:
    """Add the subcommands to the ``phishx`` parser's subparsers."""
    health = commands.add_parser(
        "health", help="print the health report; exit 0/1/2 for HEALTHY/DEGRADED/UNHEALTHY"
    )
    health.add_argument("--cheap", action="store_true", help="database and broker only")
    health.add_argument("--alive", metavar="WORKER", help="only check WORKER's heartbeat")

    api = commands.add_parser("api", help="serve the HTTP gateway (health, metrics) with uvicorn")
    api.add_argument("--host", help="bind address (PHISHX_API_HOST)")
    api.add_argument("--port", type=int, help="port (PHISHX_API_PORT)")
    api.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")


def _health(args: argparse.Namespace) -> int:
    from tasks.health import alive, build_probes, control_app, full_report  # noqa: PLC0415

    settings = get_settings()
    if args.alive:
        fresh = alive(settings, args.alive)
        print(json.dumps({"worker": args.alive, "alive": fresh}))
        return Status.HEALTHY.rank if fresh else Status.UNHEALTHY.rank
    if args.cheap:
        probes = build_probes(control_app(settings), settings)
        try:
            report = probes.cheap()
        finally:
            probes.close()
    else:
        report = full_report(settings)
    print(json.dumps(report.as_dict(), indent=2, default=str))
    return report.status.rank


def _api(args: argparse.Namespace) -> int:
    from api.server import serve  # noqa: PLC0415 - the gateway's imports only when serving

    settings = get_settings()
    serve(args.host or settings.api_host, args.port or settings.api_port, args.workers)
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"health": _health, "api": _api}

"""``phishx nlp-serve``: the text classifier as an HTTP service for the pipeline."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from pipeline.services.nlp_server import serve


def add_commands(commands: Any) -> None:
    """Register ``phishx nlp-serve``."""
    nlp = commands.add_parser("nlp-serve", help="serve the text classifier over HTTP")
    nlp.add_argument("--host", default="127.0.0.1", help="address to bind")
    nlp.add_argument("--port", type=int, default=8088, help="port to bind")


def _nlp_serve(args: argparse.Namespace) -> int:
    serve(args.host, args.port)
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"nlp-serve": _nlp_serve}

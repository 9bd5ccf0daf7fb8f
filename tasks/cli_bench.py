"""``phishx bench``: the throughput benchmark (``bench/throughput.py``) from a checkout."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
CHECKOUT = Path(__file__).resolve().parents[1]


def add_commands(commands: Any) -> None:
    """Register ``phishx bench`` with the benchmark's own options, when bench/ is present."""
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    try:
        options = importlib.import_module("bench.options")
    except ModuleNotFoundError:
        commands.add_parser("bench", help="throughput benchmark (needs a PhishX checkout)")
        return
    commands.add_parser(
        "bench",
        parents=[options.bench_options(add_help=False)],
        help="measure throughput beside Rspamd and SpamAssassin",
    )


def _bench(args: argparse.Namespace) -> int:
    try:
        throughput = importlib.import_module("bench.throughput")
    except ModuleNotFoundError:
        print("phishx bench runs from a PhishX checkout (bench/ not found)", file=sys.stderr)
        return EXIT_USAGE
    result: int = throughput.run(args)
    return result


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"bench": _bench}

"""Operator commands for resilience: inspect, reset or force breakers; list dead letters."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from pipeline.resilience import all_breakers
from pipeline.resilience.setup import SERVICE_BREAKERS, configure_breakers
from pipeline.settings import get_settings
from pipeline.storage.database import session_scope
from pipeline.storage.deliveries import dead_letters
from pipeline.storage.schema import upgrade

_ACTIONS = {"reset": "reset", "open": "force_open", "disable": "disable"}


def add_commands(commands: Any) -> None:
    """Register ``phishx breakers`` and ``phishx dead-letters``."""
    breakers = commands.add_parser(
        "breakers", help="show circuit breakers, or reset / force-open / disable one"
    )
    breakers.add_argument("action", nargs="?", choices=sorted(_ACTIONS), help="change a breaker")
    breakers.add_argument("name", nargs="?", choices=SERVICE_BREAKERS, help="the breaker")
    letters = commands.add_parser("dead-letters", help="list stages given up on as poison")
    letters.add_argument("--limit", type=int, default=50)


def _breakers(args: argparse.Namespace) -> int:
    if args.action and not args.name:
        print("phishx: error: name the breaker to change", file=sys.stderr)
        return 2
    configure_breakers(get_settings())
    breakers = all_breakers()
    if args.action:
        getattr(breakers[args.name], _ACTIONS[args.action])()
    for name in sorted(breakers):
        print(json.dumps({"name": name, **breakers[name].snapshot().as_dict()}, default=str))
    return 0


def _dead_letters(args: argparse.Namespace) -> int:
    url = get_settings().effective_database_url
    upgrade(url)
    with session_scope(url) as session:
        for letter in dead_letters(session, args.limit):
            print(
                json.dumps(
                    {
                        "analysis_id": letter.analysis_id,
                        "stage": letter.stage,
                        "reason": letter.reason,
                        "deliveries": letter.deliveries,
                        "created_at": letter.created_at.isoformat(),
                    }
                )
            )
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "breakers": _breakers,
    "dead-letters": _dead_letters,
}

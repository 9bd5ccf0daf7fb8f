"""Operator commands for the gateway: API keys, webhook subscribers, signing keys.

``phishx keys create --scope submit,read`` prints the new key once; only its
digest is stored. ``phishx webhooks add URL`` prints the subscriber's signing
secret once, in PhishX and Standard Webhooks (``whsec_``) form.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from pipeline.errors import BadInputError, NotFoundError
from pipeline.security.api_keys import ApiKeyStore, parse_scopes
from pipeline.security.keys import SigningKeyManager
from pipeline.security.standard_webhooks import standard_secret
from pipeline.security.subscribers import SubscriberStore
from pipeline.settings import get_settings


def add_commands(commands: Any) -> None:
    """Register ``phishx keys``, ``phishx webhooks`` and ``phishx signing-keys``."""
    keys = commands.add_parser("keys", help="gateway API keys").add_subparsers(
        dest="action", required=True
    )
    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--scope", required=True, help="comma list of submit, read, admin")
    create.add_argument("--name", default="", help="a label for people")
    keys.add_parser("revoke", help="revoke a key").add_argument("id")
    keys.add_parser("list", help="list keys (never the keys themselves)")

    hooks = commands.add_parser("webhooks", help="decision webhook subscribers")
    hook_actions = hooks.add_subparsers(dest="action", required=True)
    add = hook_actions.add_parser("add", help="subscribe URL to every final decision")
    add.add_argument("url")
    add.add_argument("--key-id", help="sign with this key family (default: a new one)")
    hook_actions.add_parser("remove", help="unsubscribe").add_argument("id")
    hook_actions.add_parser("list", help="list subscribers")
    hook_actions.add_parser("dead-letters", help="deliveries given up on")

    signing = commands.add_parser("signing-keys", help="request signing keys")
    signing_actions = signing.add_subparsers(dest="action", required=True)
    rotate = signing_actions.add_parser("rotate", help="new version; the old one overlaps")
    rotate.add_argument("key_id", nargs="?", help="key family (default PHISHX_WEBHOOK_KEY_ID)")
    generate = signing_actions.add_parser("generate", help="create a key family if missing")
    generate.add_argument("key_id")
    generate.add_argument("--service", default="")
    signing_actions.add_parser("list", help="list key versions (never secrets)")


def _keys(args: argparse.Namespace) -> int:
    store = ApiKeyStore(get_settings().effective_database_url)
    if args.action == "create":
        record, key = store.create(parse_scopes(args.scope), args.name)
        _out({"id": record.id, "scopes": sorted(record.scopes), "key": key})
        print("phishx: store this key now; it is not shown again", file=sys.stderr)
    elif args.action == "revoke":
        if not store.revoke(args.id):
            raise NotFoundError(f"no live key {args.id}")
        _out({"id": args.id, "revoked": True})
    else:
        for item in store.list():
            _out({"id": item.id, "name": item.name, "scopes": sorted(item.scopes),
                  "created_at": item.created_at, "revoked_at": item.revoked_at})  # fmt: skip
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    settings = get_settings()
    store = SubscriberStore(settings.effective_database_url)
    if args.action == "add":
        subscriber = store.add(args.url, args.key_id)
        secret = SigningKeyManager.from_settings(settings).generate_key(
            subscriber.key_id, f"webhook:{subscriber.id}"
        )
        _out({"id": subscriber.id, "url": subscriber.url, "key_id": subscriber.key_id,
              "secret": secret, "standard_webhooks_secret": standard_secret(secret)})  # fmt: skip
    elif args.action == "remove":
        if not store.remove(args.id):
            raise NotFoundError(f"no subscriber {args.id}")
        _out({"id": args.id, "removed": True})
    elif args.action == "list":
        for item in store.all():
            _out({"id": item.id, "url": item.url, "key_id": item.key_id})
    else:
        for letter in store.dead_letters():
            _out({"subscriber_id": letter.subscriber_id, "analysis_id": letter.analysis_id,
                  "attempts": letter.attempts, "reason": letter.reason,
                  "created_at": letter.created_at})  # fmt: skip
    return 0


def _signing_keys(args: argparse.Namespace) -> int:
    settings = get_settings()
    manager = SigningKeyManager.from_settings(settings)
    if args.action == "rotate":
        key_id = args.key_id or settings.webhook_key_id
        secret = manager.rotate_key(key_id)
        current = manager.current(key_id)
        _out({"key_id": key_id, "kid": current.kid, "secret": secret,
              "standard_webhooks_secret": standard_secret(secret),
              "overlap_seconds": manager.overlap})  # fmt: skip
    elif args.action == "generate":
        secret = manager.generate_key(args.key_id, args.service)
        _out({"key_id": args.key_id, "kid": manager.current(args.key_id).kid, "secret": secret})
    else:
        for info in manager.list_keys():
            _out({"kid": info.kid, "key_id": info.key_id, "version": info.version,
                  "service": info.service, "created_at": info.created_at,
                  "retired_at": info.retired_at, "expires_at": info.expires_at})  # fmt: skip
    return 0


def _out(record: dict[str, Any]) -> None:
    print(json.dumps(record, default=str), flush=True)


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (BadInputError, NotFoundError) as error:
            print(f"phishx: error: {error}", file=sys.stderr)
            return 2

    return run


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "keys": _guarded(_keys),
    "webhooks": _guarded(_webhooks),
    "signing-keys": _guarded(_signing_keys),
}

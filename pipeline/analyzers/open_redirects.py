"""Open redirects on trusted sites, read without following them.

Lure links borrow the reputation of a search engine or a translation proxy: the
visible host is ``google.com`` or ``bing.com`` and the destination is encoded in the
path or in a parameter that is not a plain URL, where a query-string scan misses it.

Note:
    Only the forms below are decoded (Google AMP paths, Bing click-tracking,
    Google Translate proxies); other redirectors are found only when their target is
    a plain URL in the query.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs

from pipeline.domains import registered_domain

_AMP_PATH = re.compile(r"^/amp/(?:s/)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(/.*)?$", re.IGNORECASE)
_HOST_LIKE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+([/?#:].*)?$", re.IGNORECASE)
_TRANSLATE_PROXY = ".translate.goog"
MAX_ENCODED = 4000


def open_redirect_targets(host: str, path: str, query: str) -> list[str]:
    """The destinations an open redirect at ``host`` would forward to."""
    site = registered_domain(host).split(".", 1)[0]
    if site == "google" and host.startswith("translate."):
        return _translate_target(query)
    if site == "google":
        match = _AMP_PATH.match(path)
        return [f"https://{match.group(1)}{match.group(2) or '/'}"] if match else []
    if site == "bing" and path.startswith("/ck/"):
        return _bing_target(query)
    if host.endswith(_TRANSLATE_PROXY):
        return [f"https://{_unproxy(host.removesuffix(_TRANSLATE_PROXY))}/"]
    return []


def _translate_target(query: str) -> list[str]:
    values = parse_qs(query).get("u", [])[:1]
    return [
        v if "//" in v[:10] else f"http://{v}" for v in values if _HOST_LIKE.match(v) or "//" in v
    ]


def _bing_target(query: str) -> list[str]:
    """Bing click URLs carry the target as ``u=a1`` plus unpadded URL-safe base64."""
    for value in parse_qs(query).get("u", [])[:1]:
        if not value.startswith("a1"):
            continue
        encoded = value[2:MAX_ENCODED]
        try:
            decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            return []
        text = decoded.decode("utf-8", errors="replace")
        return [text] if text.lower().startswith(("http://", "https://")) else []
    return []


def _unproxy(label: str) -> str:
    """``www-example-com`` back to ``www.example.com`` (``--`` stands for ``-``)."""
    return label.replace("--", "\x00").replace("-", ".").replace("\x00", "-")

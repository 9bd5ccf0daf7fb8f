"""Signatures in the Standard Webhooks format, for receivers using its libraries.

Headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` =
``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``. The secret is shared as
``whsec_<base64 of the key bytes>``; PhishX's key bytes are the UTF-8 of its secret,
so one signing key serves both formats.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def standard_secret(secret: str) -> str:
    """The ``whsec_`` form of a PhishX secret, to hand to a Standard Webhooks receiver."""
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def standard_headers(
    message_id: str, body: bytes, secret: str, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = f"{message_id}.{stamp}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return {
        WEBHOOK_ID: message_id,
        WEBHOOK_TIMESTAMP: stamp,
        WEBHOOK_SIGNATURE: "v1," + base64.b64encode(mac).decode(),
    }

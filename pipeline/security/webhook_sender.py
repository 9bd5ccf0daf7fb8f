"""Sending one decision to one subscriber, signed in both PhishX and Standard Webhooks form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from pipeline.errors import PermanentError, ServiceTimeoutError, ServiceUnavailableError
from pipeline.security.keys import SigningKeyManager
from pipeline.security.signing import RequestSigner, canonical_json
from pipeline.security.standard_webhooks import standard_headers
from pipeline.security.subscribers import Subscriber

_RETRYABLE_STATUS = frozenset({408, 425, 429})


def signed_request(
    subscriber: Subscriber, decision: dict[str, Any], keys: SigningKeyManager
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the delivery, signed with the subscriber's current key."""
    key = keys.current(subscriber.key_id)
    body = canonical_json(decision)
    path = urlsplit(subscriber.url).path or "/"
    headers = RequestSigner.sign_request(body, key.secret, "POST", path, key_id=key.kid)
    message_id = f"{decision.get('analysis_id', 'unknown')}"
    timestamp = int(headers["x-phishx-timestamp"])
    headers.update(standard_headers(message_id, body, key.secret, timestamp))
    headers["content-type"] = "application/json"
    return body, headers


def post_signed(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; raise TransientError for what a retry may fix.

    Messages carry the status or error type only, never the URL, which may hold a token.
    """
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as error:
        raise ServiceTimeoutError("webhook endpoint did not answer in time") from error
    except httpx.HTTPError as error:
        raise ServiceUnavailableError(f"webhook unreachable: {type(error).__name__}") from error
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_STATUS:
        raise ServiceUnavailableError(f"webhook endpoint answered {status}")
    if status >= 400:
        raise PermanentError(f"webhook endpoint refused the delivery with {status}")
    return status

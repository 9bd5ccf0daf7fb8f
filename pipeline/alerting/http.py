"""One JSON POST to an alert channel, with failures sorted into transient and permanent."""

from __future__ import annotations

from typing import Any

import httpx

from pipeline.errors import PermanentError, ServiceTimeoutError, ServiceUnavailableError

_RETRYABLE_STATUS = frozenset({408, 425, 429})


def post_json(client: httpx.Client, url: str, payload: dict[str, Any], channel: str) -> None:
    """POST ``payload``; raise TransientError subclasses for what a retry may fix.

    Error messages name the channel and status only, never the URL: webhook URLs
    of chat services carry their credentials.
    """
    try:
        response = client.post(url, json=payload)
    except httpx.TimeoutException as error:
        raise ServiceTimeoutError(f"{channel} did not answer in time") from error
    except httpx.HTTPError as error:
        raise ServiceUnavailableError(f"{channel} unreachable: {type(error).__name__}") from error
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_STATUS:
        raise ServiceUnavailableError(f"{channel} answered {status}")
    if status >= 400:
        raise PermanentError(f"{channel} refused the alert with {status}")

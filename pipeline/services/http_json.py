"""One JSON-over-HTTP call to an outside service, with its failures mapped to PhishX errors."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from pipeline.errors import ServiceTimeoutError, ServiceUnavailableError

log = logging.getLogger(__name__)


def post_json(url: str, payload: Any, timeout: httpx.Timeout, service: str) -> Any:
    """POST ``payload`` and return the decoded answer; transient errors on any failure."""
    try:
        response = httpx.post(url, json=payload, timeout=timeout)
    except httpx.TimeoutException as error:
        log.warning("service_timeout service=%s", service)
        raise ServiceTimeoutError(f"{service} timed out") from error
    except httpx.HTTPError as error:
        raise ServiceUnavailableError(f"{service}: {type(error).__name__}") from error
    if response.status_code != 200:
        raise ServiceUnavailableError(f"{service} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as error:
        raise ServiceUnavailableError(f"{service} answered invalid JSON") from error

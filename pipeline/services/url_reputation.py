"""Client of an optional URL reputation service over HTTP (contract: docs/url-reputation.md).

POST ``{base}/v1/lookup`` with ``{"urls": [...]}``; the answer maps each URL to a
verdict. Any failure raises a :class:`~pipeline.errors.TransientError` subclass, so
the URL stage can fall back to no verdict and mark itself degraded.
"""

from __future__ import annotations

from typing import Any

import httpx

from pipeline.errors import ServiceUnavailableError
from pipeline.services.guard import CallGuard, unguarded
from pipeline.services.http_json import post_json

VERDICTS = frozenset({"malicious", "suspicious", "clean", "unknown"})
MAX_URLS_PER_CALL = 100


class UrlReputationClient:
    """Looks URLs up in the reputation service, with a deadline and a guard."""

    def __init__(self, base_url: str, timeout: float, guard: CallGuard = unguarded) -> None:
        self._endpoint = base_url.rstrip("/") + "/v1/lookup"
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self._guard = guard

    def lookup(self, urls: list[str]) -> dict[str, str]:
        """Verdict per URL (``unknown`` for URLs the service did not mention)."""
        batch = list(dict.fromkeys(urls))[:MAX_URLS_PER_CALL]
        if not batch:
            return {}
        answer = self._guard(lambda: self._post(batch))
        return _verdicts(answer, batch)

    def _post(self, urls: list[str]) -> Any:
        return post_json(self._endpoint, {"urls": urls}, self._timeout, "URL reputation")


def _verdicts(answer: Any, urls: list[str]) -> dict[str, str]:
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise ServiceUnavailableError("URL reputation answer lacks a results list")
    verdicts = dict.fromkeys(urls, "unknown")
    for item in answer["results"]:
        if not isinstance(item, dict):
            continue
        url, verdict = item.get("url"), str(item.get("verdict", "unknown")).lower()
        if url in verdicts and verdict in VERDICTS:
            verdicts[url] = verdict
    return verdicts

"""Client of the NLP service (see :mod:`pipeline.services.nlp_server`)."""

from __future__ import annotations

import math
from typing import Any

import httpx

from pipeline.errors import ServiceUnavailableError
from pipeline.services.guard import CallGuard, unguarded
from pipeline.services.http_json import post_json

MAX_BODY_CHARS = 100_000


class NlpClient:
    """Asks the NLP service for a phishing probability, within a deadline."""

    def __init__(self, base_url: str, timeout: float, guard: CallGuard = unguarded) -> None:
        self._endpoint = base_url.rstrip("/") + "/v1/classify"
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self._guard = guard

    def phishing_probability(self, subject: str, body: str) -> float:
        """The service's probability; raises a TransientError subclass when it cannot."""
        payload = {"subject": subject[:MAX_BODY_CHARS], "body": body[:MAX_BODY_CHARS]}
        answer = self._guard(lambda: self._post(payload))
        probability = answer.get("probability") if isinstance(answer, dict) else None
        if not isinstance(probability, int | float) or not 0.0 <= probability <= 1.0:
            raise ServiceUnavailableError("NLP service answered without a probability")
        if math.isnan(probability):
            raise ServiceUnavailableError("NLP service answered NaN")
        return float(probability)

    def _post(self, payload: dict[str, str]) -> Any:
        return post_json(self._endpoint, payload, self._timeout, "NLP service")

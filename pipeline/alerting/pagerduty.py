"""PagerDuty Events API v2: trigger and resolve incidents under the alert's dedup key."""

from __future__ import annotations

from typing import Any

import httpx

from pipeline.alerting.http import post_json
from pipeline.alerting.model import Alert

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


def trigger_event(alert: Alert, routing_key: str) -> dict[str, Any]:
    """The trigger event; PagerDuty groups events with one ``dedup_key`` into one incident."""
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": alert.key,
        "payload": {
            "summary": f"{alert.severity.value} - {alert.title}: {alert.message}"[:1024],
            "source": "phishx",
            "severity": alert.severity.value.lower(),
            "component": alert.source.value.lower(),
            "class": alert.key.split(":", 1)[0],
            "custom_details": {
                "value": alert.shown(alert.value),
                "threshold": alert.shown(alert.threshold),
            },
        },
    }


def resolve_event(alert: Alert, routing_key: str) -> dict[str, Any]:
    """The resolve event for the incident opened by :func:`trigger_event`."""
    return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": alert.key}


class PagerDutyAlertHandler:
    """Sends alerts to one PagerDuty service integration (its routing key)."""

    name = "pagerduty"

    def __init__(self, routing_key: str, *, url: str = EVENTS_URL, timeout: float = 5.0) -> None:
        self._routing_key = routing_key
        self._url = url
        self._client = httpx.Client(timeout=timeout)

    @classmethod
    def send_to_pagerduty(cls, alert: Alert, integration_key: str) -> None:
        """One-off send, in the seed guide's style."""
        cls(integration_key).send(alert)

    def send(self, alert: Alert) -> None:
        """Trigger (or update) the alert's incident."""
        post_json(self._client, self._url, trigger_event(alert, self._routing_key), self.name)

    def resolve(self, alert: Alert) -> None:
        """Resolve the alert's incident."""
        post_json(self._client, self._url, resolve_event(alert, self._routing_key), self.name)

"""Slack incoming webhooks: the alert as a header, its message, fields and action buttons."""

from __future__ import annotations

from typing import Any

import httpx

from pipeline.alerting.http import post_json
from pipeline.alerting.model import Alert

_BUTTONS = (("Acknowledge", "alert_acknowledge"), ("Resolve", "alert_resolve"))


def slack_message(alert: Alert, logs_url: str | None = None) -> dict[str, Any]:
    """The message: plain ``text`` in the shared layout, and blocks for the Slack client."""
    lines = alert.lines()
    fields = [
        {"type": "mrkdwn", "text": f"*{name}:* {value}"}
        for name, value in (line.split(": ", 1) for line in lines[2:])
    ]
    return {
        "text": "\n".join(lines),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": alert.headline}},
            {"type": "section", "text": {"type": "mrkdwn", "text": alert.message}},
            {"type": "section", "fields": fields},
            {"type": "actions", "elements": _buttons(alert, logs_url)},
        ],
    }


def resolved_message(alert: Alert) -> dict[str, Any]:
    """The notification that an alert has cleared."""
    text = f"✅ RESOLVED - {alert.title}"
    return {
        "text": f"{text}\n{alert.message}",
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": text}}],
    }


def _buttons(alert: Alert, logs_url: str | None) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": text},
            "action_id": action,
            "value": alert.key,
        }
        for text, action in _BUTTONS
    ]
    logs: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": "View Logs"},
        "action_id": "alert_view_logs",
    }
    if logs_url:
        logs["url"] = logs_url
    return [*buttons, logs]


class SlackAlertHandler:
    """Posts alerts to one Slack incoming webhook.

    Note:
        Incoming webhooks cannot receive button clicks: Acknowledge and Resolve
        need a Slack app with interactivity pointed at an endpoint of your own.
    """

    name = "slack"

    def __init__(
        self, webhook_url: str, *, timeout: float = 5.0, logs_url: str | None = None
    ) -> None:
        self._url = webhook_url
        self._logs_url = logs_url
        self._client = httpx.Client(timeout=timeout)

    @classmethod
    def send_to_slack(cls, alert: Alert, webhook_url: str) -> None:
        """One-off send, in the seed guide's style."""
        cls(webhook_url).send(alert)

    def send(self, alert: Alert) -> None:
        """Post the alert."""
        post_json(self._client, self._url, slack_message(alert, self._logs_url), self.name)

    def resolve(self, alert: Alert) -> None:
        """Post that the alert cleared."""
        post_json(self._client, self._url, resolved_message(alert), self.name)

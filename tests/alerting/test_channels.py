"""Alerts reach real receivers on loopback: Slack and PagerDuty fakes, an SMTP server."""

from __future__ import annotations

from pipeline.alerting.manager import AlertManager
from pipeline.alerting.model import Alert
from pipeline.alerting.pagerduty import PagerDutyAlertHandler
from pipeline.alerting.slack import SlackAlertHandler
from tests.gateway.harness import Receiver

ROUTING_KEY = "R0UT1NGKEY0000000000000000000000"


def _manager() -> AlertManager:
    return AlertManager(sleep=lambda _: None)


def test_slack_gets_the_guide_layout(nlp_alert: Alert) -> None:
    """The Slack message carries the headline, message, fields and three buttons."""
    manager = _manager()
    with Receiver() as slack:
        manager.register_handler(SlackAlertHandler(f"{slack.url}/services/T/B/X"))

        manager.send_alert(nlp_alert)

    message = slack.requests[0].json()
    assert message["text"].splitlines() == [
        "🔴 CRITICAL - NLP Service Availability",
        "NLP service availability is 45.3% (threshold: 80%)",
        "Severity: CRITICAL",
        "Source: INTEGRATION",
        "Value: 45.3%",
        "Threshold: 80%",
    ]
    buttons = [item["text"]["text"] for item in message["blocks"][-1]["elements"]]
    assert buttons == ["Acknowledge", "Resolve", "View Logs"]


def test_slack_errors_are_retried(nlp_alert: Alert) -> None:
    """Two 500s then a 200: the alert arrives on the third attempt."""
    manager = _manager()
    with Receiver(statuses=[500, 500]) as slack:
        manager.register_handler(SlackAlertHandler(slack.url))

        manager.send_alert(nlp_alert)

    assert len(slack.requests) == 3


def test_pagerduty_triggers_then_resolves_under_one_dedup_key(nlp_alert: Alert) -> None:
    """A trigger and its resolve event share the alert's dedup key."""
    manager = _manager()
    with Receiver(default=202) as pagerduty:
        manager.register_handler(PagerDutyAlertHandler(ROUTING_KEY, url=pagerduty.url))
        manager.send_alert(nlp_alert)

        manager.resolve(nlp_alert.key)

    trigger, resolve = (request.json() for request in pagerduty.requests)
    assert trigger["event_action"] == "trigger"
    assert trigger["payload"]["severity"] == "critical"
    assert resolve == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": "external_service_availability:nlp",
    }


def test_a_failing_channel_does_not_stop_the_others(nlp_alert: Alert) -> None:
    """Slack answering 400 still lets PagerDuty receive the alert."""
    manager = _manager()
    with Receiver(default=400) as slack, Receiver(default=202) as pagerduty:
        manager.register_handler(SlackAlertHandler(slack.url))
        manager.register_handler(PagerDutyAlertHandler(ROUTING_KEY, url=pagerduty.url))

        manager.send_alert(nlp_alert)

    assert len(slack.requests) == 1
    assert len(pagerduty.requests) == 1

"""The process's alert manager, built from the settings' channels and Redis."""

from __future__ import annotations

import time
from collections.abc import Callable

from pipeline.alerting.email import EmailAlertHandler, SmtpConfig
from pipeline.alerting.manager import AlertManager
from pipeline.alerting.pagerduty import PagerDutyAlertHandler
from pipeline.alerting.slack import SlackAlertHandler
from pipeline.alerting.state import AlertState, MemoryAlertState, RedisAlertState
from pipeline.security.shared import shared_redis
from pipeline.settings import Settings


def build_manager(
    settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> AlertManager:
    """A manager with Redis deduplication when configured and every configured channel."""
    client = shared_redis(settings)
    state: AlertState = RedisAlertState(client) if client is not None else MemoryAlertState()
    manager = AlertManager(state, dedup_seconds=settings.alert_dedup_seconds, sleep=sleep)
    timeout = settings.alert_timeout
    if settings.slack_webhook_url is not None:
        url = settings.slack_webhook_url.get_secret_value()
        manager.register_handler(SlackAlertHandler(url, timeout=timeout))
    if settings.pagerduty_routing_key is not None:
        key = settings.pagerduty_routing_key.get_secret_value()
        handler = PagerDutyAlertHandler(key, url=settings.pagerduty_url, timeout=timeout)
        manager.register_handler(handler)
    if settings.smtp_host and settings.alert_email_to:
        manager.register_handler(EmailAlertHandler(smtp_config(settings)))
    return manager


def smtp_config(settings: Settings) -> SmtpConfig:
    """The SMTP channel's configuration."""
    assert settings.smtp_host is not None  # checked by the caller
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        recipients=tuple(settings.alert_email_to),
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        ca_file=settings.smtp_ca_file,
        timeout=settings.alert_timeout,
    )

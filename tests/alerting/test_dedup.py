"""Deduplication for five minutes, force, resolution, and sharing through Redis."""

from __future__ import annotations

import pytest
import redis

from pipeline.alerting.manager import AlertManager
from pipeline.alerting.model import Alert
from pipeline.alerting.state import RedisAlertState


def _recording() -> tuple[AlertManager, list[str]]:
    sent: list[str] = []
    manager = AlertManager()
    manager.register_handler(lambda alert: sent.append(alert.key))
    return manager, sent


def test_the_same_alert_is_sent_once_within_the_window(nlp_alert: Alert) -> None:
    """A repeat inside five minutes is suppressed."""
    manager, sent = _recording()

    results = [manager.send_alert(nlp_alert), manager.send_alert(nlp_alert)]

    assert results == [True, False]
    assert len(sent) == 1


def test_force_bypasses_deduplication(nlp_alert: Alert) -> None:
    """force=True sends even inside the window."""
    manager, sent = _recording()
    manager.send_alert(nlp_alert)

    manager.send_alert(nlp_alert, force=True)

    assert len(sent) == 2


def test_reconcile_resolves_what_no_longer_fires(nlp_alert: Alert) -> None:
    """A checked key that stopped firing is resolved once, and may fire again at once."""
    manager, _ = _recording()
    manager.send_alert(nlp_alert)

    resolved = manager.reconcile([], checked=[nlp_alert.key])

    assert resolved == [nlp_alert.key]
    assert manager.send_alert(nlp_alert)


@pytest.mark.services
def test_two_processes_share_deduplication_through_redis(redis_url: str, nlp_alert: Alert) -> None:
    """Two managers with separate Redis clients send the alert once between them."""
    first, sent_first = _recording()
    second, sent_second = _recording()
    first.state = RedisAlertState(redis.Redis.from_url(redis_url))
    second.state = RedisAlertState(redis.Redis.from_url(redis_url))

    results = [first.send_alert(nlp_alert), second.send_alert(nlp_alert)]

    assert results == [True, False]
    assert len(sent_first) + len(sent_second) == 1


@pytest.mark.services
def test_only_one_process_sends_the_resolution(redis_url: str, nlp_alert: Alert) -> None:
    """Both managers see the alert clear; exactly one resolves it."""
    first, _ = _recording()
    second, _ = _recording()
    first.state = RedisAlertState(redis.Redis.from_url(redis_url))
    second.state = RedisAlertState(redis.Redis.from_url(redis_url))
    first.send_alert(nlp_alert)

    outcomes = [first.resolve(nlp_alert.key), second.resolve(nlp_alert.key)]

    assert sorted(outcomes) == [False, True]

"""Typed settings from PHISHX_* variables, and the Celery configuration built from them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import celeryconfig
from pipeline.settings import Settings


def test_embedded_defaults_need_no_server() -> None:
    """With nothing set, the broker is in memory and the database is a SQLite file."""
    settings = Settings()

    assert settings.embedded
    assert settings.effective_broker_url.startswith("memory://")
    assert settings.effective_database_url.startswith("sqlite:///")


def test_environment_variables_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """PHISHX_* variables, including JSON maps, reach the settings."""
    monkeypatch.setenv("PHISHX_BROKER_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("PHISHX_SOFT_TIME_LIMITS", '{"text": 5}')
    monkeypatch.setenv("PHISHX_HARD_TIME_LIMITS", '{"text": 9}')

    settings = Settings()

    assert settings.effective_result_backend == "redis://127.0.0.1:6379/3"
    assert settings.effective_redis_url == "redis://127.0.0.1:6379/3"
    assert settings.soft_time_limits["text"] == 5
    assert settings.soft_time_limits["parse"] == 20


def test_hard_limit_must_exceed_soft_limit() -> None:
    """A hard limit at or below its soft limit is refused."""
    with pytest.raises(ValidationError, match="hard time limit of text"):
        Settings(soft_time_limits={"text": 10}, hard_time_limits={"text": 10})


def test_celery_configuration_carries_the_delivery_guarantees() -> None:
    """acks_late, reject-on-lost, prefetch 1, events, and a visibility timeout above limits."""
    settings = Settings(broker_url="redis://127.0.0.1:6379/0")

    config = celeryconfig.build(settings)

    assert config["task_acks_late"]
    assert config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["worker_send_task_events"]
    assert config["task_send_sent_event"]
    visibility = config["broker_transport_options"]["visibility_timeout"]
    assert visibility > settings.longest_hard_limit
    assert config["task_annotations"]["phishx.attachments"] == {
        "soft_time_limit": 60.0,
        "time_limit": 120.0,
    }
    assert config["task_routes"]["phishx.urls"] == {"queue": "urls"}


def test_task_events_can_be_turned_off_for_producers_and_workers() -> None:
    """Without Flower, both kinds of task event can be switched off."""
    settings = Settings(
        broker_url="redis://127.0.0.1:6379/0", task_sent_events=False, worker_task_events=False
    )

    config = celeryconfig.build(settings)

    assert not config["task_send_sent_event"]
    assert not config["worker_send_task_events"]

"""Celery configuration, derived from PhishX's typed settings.

Celery loads this module lazily, when the app is first configured, so the
environment is read then and not when ``tasks`` is imported.
"""

from __future__ import annotations

from typing import Any

from kombu import Queue  # type: ignore[attr-defined]

from pipeline.resilience.timeouts import TimeoutConfig
from pipeline.settings import STAGES, Settings, get_settings

# Poison messages are published here for operators; no worker consumes it.
DEAD_LETTER_QUEUE = "dead_letter"
# Queues whose tasks are slow or call outside services: take one message at a time.
SLOW_QUEUES = frozenset({"attachments", "text"})
# Signed decision webhooks and the periodic alert evaluation, apart from the analysis.
DELIVERY_QUEUE = "delivery"
ALERTS_QUEUE = "alerts"
# The periodic sweep that enqueues stalled analyses again.
MAINTENANCE_QUEUE = "maintenance"
RESUME_TASK = "phishx.resume_stalled"


# The whole analysis in one task, on the parse queue: every worker that parses runs it.
FUSED_TASK = "phishx.analyze"
FUSED_QUEUE = "parse"
# Several emails' whole analyses in one task, on the same queue.
BATCH_TASK = "phishx.analyze_batch"


# Every queue a general-purpose worker consumes.
WORKER_QUEUES: tuple[str, ...] = (*STAGES, DELIVERY_QUEUE, ALERTS_QUEUE, MAINTENANCE_QUEUE)


def stage_task_name(stage: str) -> str:
    """The registered Celery name of a stage's task."""
    return f"phishx.{stage}"


def build(settings: Settings) -> dict[str, Any]:
    """The Celery configuration for these settings, as a plain dict."""
    visibility_timeout = settings.effective_visibility_timeout
    return {
        "broker_url": settings.effective_broker_url,
        "result_backend": settings.effective_result_backend,
        "broker_connection_retry_on_startup": True,
        # A chain publishes its next step from the worker: ride out a broker restart
        # (about a minute) instead of dropping the rest of the chain.
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 30,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 3.0,
        },
        # Every socket has a deadline: connecting, and each read or write.
        "broker_connection_timeout": 4.0,
        "broker_heartbeat": 30,
        "redis_socket_connect_timeout": 3.0,
        "redis_socket_timeout": 10.0,
        "redis_retry_on_timeout": True,
        "broker_transport_options": {
            "visibility_timeout": visibility_timeout,
            "polling_interval": 0.05,
            "socket_connect_timeout": 3.0,
            "socket_timeout": 10.0,
            # Redis: look for messages of dead workers every few seconds, not
            # every 100 s, so redelivery follows soon after the visibility timeout.
            "unacked_restore_interval": max(1.0, min(10.0, visibility_timeout / 4)),
            "unacked_restore_throttle": 1,
        },
        "result_backend_transport_options": {"visibility_timeout": visibility_timeout},
        "result_expires": 3600,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A task that failed or timed out is acknowledged: its stage recorded a fallback.
        "task_acks_on_failure": True,
        "task_acks_on_timeout": True,
        # No STARTED state in the result backend: it would cost a read and a write
        # per task; monitors see starts in the task events.
        "task_track_started": False,
        "task_send_sent_event": settings.task_sent_events,
        "worker_send_task_events": settings.worker_task_events,
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": settings.worker_concurrency,
        "task_default_queue": "phishx",
        "task_queues": [Queue(name) for name in WORKER_QUEUES] + [Queue("phishx")],
        "task_routes": {
            **{stage_task_name(stage): {"queue": stage} for stage in STAGES},
            "phishx.deliver_decision": {"queue": DELIVERY_QUEUE},
            "phishx.deliver_webhook": {"queue": DELIVERY_QUEUE},
            "phishx.evaluate_alerts": {"queue": ALERTS_QUEUE},
            RESUME_TASK: {"queue": MAINTENANCE_QUEUE},
            FUSED_TASK: {"queue": FUSED_QUEUE},
            BATCH_TASK: {"queue": FUSED_QUEUE},
        },
        "beat_schedule": {
            "phishx-evaluate-alerts": {
                "task": "phishx.evaluate_alerts",
                "schedule": settings.alert_interval,
                # A round older than one period is stale: the next one supersedes it.
                "options": {"expires": settings.alert_interval},
            },
            "phishx-resume-stalled": {
                "task": RESUME_TASK,
                "schedule": settings.resume_interval,
                "options": {"expires": settings.resume_interval},
            },
        },
        "task_annotations": _time_limits(TimeoutConfig.from_settings(settings)),
        "timezone": "UTC",
        "enable_utc": True,
    }


def _time_limits(limits: TimeoutConfig) -> dict[str, dict[str, float]]:
    """Each stage task's soft and hard limits; a fused or batch task gets their sums."""
    per_stage = {
        stage_task_name(stage): {
            "soft_time_limit": limits.soft_limit(stage),
            "time_limit": limits.hard_limit(stage),
        }
        for stage in STAGES
    }
    # A batch shares the fused limits: each of its stages has its own budget too.
    whole = {
        "soft_time_limit": sum(limits.soft_limit(stage) for stage in STAGES),
        "time_limit": sum(limits.hard_limit(stage) for stage in STAGES),
    }
    return per_stage | {task: dict(whole) for task in (FUSED_TASK, BATCH_TASK)}


globals().update(build(get_settings()))

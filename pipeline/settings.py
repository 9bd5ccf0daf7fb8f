"""One typed settings object, read from PHISHX_* environment variables.

Nothing reads the environment at import time: call :func:`get_settings`, which
builds the object once per process, or construct :class:`Settings` directly.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

STAGES: tuple[str, ...] = ("parse", "headers", "urls", "attachments", "text", "decide")

DEFAULT_SOFT_LIMITS: dict[str, float] = {
    "parse": 20.0,
    "headers": 20.0,
    "urls": 20.0,
    "attachments": 60.0,
    "text": 20.0,
    "decide": 10.0,
}
DEFAULT_HARD_LIMITS: dict[str, float] = {
    stage: soft * 2 for stage, soft in DEFAULT_SOFT_LIMITS.items()
}
# A stage that could not finish either lets mail through on what the others
# found ("open") or holds it for review ("closed").
DEFAULT_DEGRADED_POLICY: dict[str, Literal["open", "closed"]] = {
    "parse": "closed",
    "headers": "open",
    "urls": "open",
    "attachments": "closed",
    "text": "open",
    "decide": "closed",
}


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "phishx"


class Settings(BaseSettings):
    """Every tunable of PhishX; each field maps to ``PHISHX_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="PHISHX_", extra="ignore")

    broker_url: str | None = Field(
        default=None, description="Celery broker; unset means an in-process worker."
    )
    result_backend: str | None = Field(
        default=None, description="Celery result backend; derived from the broker when unset."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset means SQLite under data_dir."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for shared state (breakers, dedup, nonces); defaults to a Redis broker.",
    )
    data_dir: Path = Field(default_factory=_default_data_dir)

    quarantine_threshold: float = Field(default=50.0, ge=0, le=100)
    reject_threshold: float = Field(default=80.0, ge=0, le=100)

    soft_time_limits: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SOFT_LIMITS))
    hard_time_limits: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_HARD_LIMITS))
    degraded_policy: dict[str, Literal["open", "closed"]] = Field(
        default_factory=lambda: dict(DEFAULT_DEGRADED_POLICY)
    )

    max_message_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_mime_depth: int = Field(default=20, gt=0)
    max_mime_parts: int = Field(default=300, gt=0)
    max_body_chars: int = Field(default=2_000_000, gt=0)
    max_urls: int = Field(default=500, gt=0)

    nlp_url: str | None = None
    url_reputation_url: str | None = None
    clamd_address: str | None = Field(
        default=None, description="host:port of clamd; unset disables the antivirus scan."
    )
    service_timeout: float = Field(default=5.0, gt=0)
    dkim_dns_enabled: bool = Field(
        default=False, description="Look up DKIM keys in DNS to verify signatures."
    )
    url_blocklist_path: Path | None = Field(
        default=None, description="A file of blocked domains and URLs, one per line."
    )
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open a service's breaker."
    )
    breaker_recovery_timeout: float = Field(
        default=60.0, gt=0, description="Seconds an open breaker waits before a trial call."
    )

    visibility_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds before an unacknowledged Redis message is redelivered.",
    )
    pipeline_mode: Literal["chain", "fused", "batch"] = Field(
        default="chain",
        description="chain: one task per stage; fused: one task runs every stage of an email; "
        "batch: one task analyses up to batch_size emails.",
    )
    # Small enough that a burst fills every worker process, not one batch per burst.
    batch_size: int = Field(
        default=8, ge=1, le=1000, description="Most emails one batch task analyses."
    )
    batch_wait: float = Field(
        default=0.005, ge=0, le=5, description="Seconds a partial batch waits for more emails."
    )
    max_deliveries: int = Field(
        default=3,
        ge=1,
        description="Deliveries of one stage attempt before it is dead-lettered as poison.",
    )
    resume_after: float | None = Field(
        default=None,
        gt=0,
        description="Seconds without progress after which a pending analysis is enqueued "
        "again; unset: the visibility timeout plus the longest hard limit.",
    )
    resume_interval: float = Field(default=30.0, gt=0, description="Beat period of the sweep.")
    resume_batch: int = Field(default=200, ge=1, description="Stalled analyses per sweep.")
    max_resumes: int = Field(
        default=5,
        ge=1,
        description="Resumes before the missing stages are dead-lettered and the email decided.",
    )
    resume_max_backlog: int = Field(
        default=1000,
        ge=0,
        description="Messages waiting in the stage queues above which the sweep waits.",
    )
    worker_concurrency: int | None = Field(default=None, gt=0)
    task_sent_events: bool = Field(default=True, description="Producers announce each task sent.")
    worker_task_events: bool = Field(
        default=True,
        description="Workers announce each task received, started and finished (for Flower).",
    )
    metrics_port: int | None = None
    metrics_dir: Path | None = Field(
        default=None,
        description="prometheus-client multiprocess directory; a fresh one per worker if unset.",
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, gt=0, lt=65536)
    api_key_hashes: list[str] = Field(
        default_factory=list,
        description="SHA-256 hex digests of the bearer keys accepted by the gateway (JSON list).",
    )
    queue_depth_warning: int = Field(default=1000, gt=0)
    queue_depth_critical: int = Field(default=5000, gt=0)
    queue_sample_interval: float = Field(default=15.0, gt=0)
    heartbeat_ttl: float = Field(default=30.0, gt=0)
    health_timeout: float = Field(default=2.0, gt=0)
    log_level: str = "INFO"

    # Gateway security: scoped keys, rate limits, request signing (pipeline/security).
    signing_master_key: SecretStr | None = Field(
        default=None,
        description="base64url 32-byte key sealing signing keys at rest; "
        "unset: a key file in data_dir (embedded mode only).",
    )
    signature_max_age: float = Field(default=300.0, gt=0, description="Oldest signed request.")
    signing_overlap: float = Field(
        default=86400.0, ge=0, description="Seconds a rotated-out signing key still verifies."
    )
    webhook_key_id: str = Field(
        default="webhook_v1", description="Signing key family /webhook/decision verifies with."
    )
    webhook_attempts: int = Field(default=6, ge=1, description="Delivery attempts per webhook.")
    webhook_timeout: float = Field(default=5.0, gt=0)
    webhook_backoff: float = Field(
        default=2.0, gt=0, description="First retry delay of a webhook; doubles per attempt."
    )
    rate_limit_per_minute: float = Field(default=1200.0, gt=0, description="Per API key.")
    rate_limit_burst: int = Field(default=200, ge=1, description="Requests a key may burst.")
    api_key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds a gateway process trusts a verified key without reading the "
        "database; a revocation takes effect within this time. 0: read every request.",
    )
    max_request_bytes: int = Field(default=36 * 1024 * 1024, gt=0)
    result_wait_max: float = Field(default=30.0, ge=0, description="Cap of GET ?wait=.")

    # Alerting (pipeline/alerting): thresholds, deduplication and channels.
    alert_thresholds: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description='Overrides, e.g. {"api_response_time": {"warning": 2, "critical": 8}}.',
    )
    alert_dedup_seconds: float = Field(default=300.0, ge=0)
    alert_interval: float = Field(default=60.0, gt=0, description="Beat period of evaluation.")
    alert_timeout: float = Field(default=5.0, gt=0)
    slack_webhook_url: SecretStr | None = None
    pagerduty_routing_key: SecretStr | None = None
    pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ca_file: Path | None = Field(default=None, description="CA bundle for STARTTLS.")
    smtp_sender: str = "phishx@localhost"
    alert_email_to: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.quarantine_threshold > self.reject_threshold:
            raise ValueError("quarantine_threshold must not exceed reject_threshold")
        self.soft_time_limits = {**DEFAULT_SOFT_LIMITS, **self.soft_time_limits}
        self.hard_time_limits = {**DEFAULT_HARD_LIMITS, **self.hard_time_limits}
        self.degraded_policy = {**DEFAULT_DEGRADED_POLICY, **self.degraded_policy}
        for stage in STAGES:
            if self.hard_time_limits[stage] <= self.soft_time_limits[stage]:
                raise ValueError(f"hard time limit of {stage} must exceed its soft limit")
        if self.visibility_timeout is not None and (
            self.visibility_timeout <= self.longest_task_limit
        ):
            raise ValueError("visibility_timeout must exceed the longest task's hard time limit")
        return self

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: scans run in this process."""
        return self.broker_url is None

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'phishx.db'}"

    @property
    def effective_broker_url(self) -> str:
        """The broker URL, ``memory://`` in embedded mode."""
        return self.broker_url or "memory://localhost/"

    @property
    def effective_result_backend(self) -> str:
        """Where task results go: the Redis broker, RabbitMQ's rpc, or memory."""
        if self.result_backend:
            return self.result_backend
        broker = self.effective_broker_url
        if broker.startswith(("redis://", "rediss://")):
            return broker
        if broker.startswith(("amqp://", "amqps://", "pyamqp://")):
            return "rpc://"
        return "cache+memory://"

    @property
    def effective_redis_url(self) -> str | None:
        """Redis for shared state, or None for in-memory state (embedded mode)."""
        if self.redis_url:
            return self.redis_url
        broker = self.broker_url or ""
        return broker if broker.startswith(("redis://", "rediss://")) else None

    @property
    def effective_visibility_timeout(self) -> float:
        """Redelivery delay for unacknowledged messages, above every hard limit."""
        if self.visibility_timeout is not None:
            return self.visibility_timeout
        return self.longest_task_limit * 2 + 60

    @property
    def effective_resume_after(self) -> float:
        """Quiet seconds that make a pending analysis stalled: longer than any redelivery."""
        if self.resume_after is not None:
            return self.resume_after
        return self.effective_visibility_timeout + self.longest_task_limit

    @property
    def longest_hard_limit(self) -> float:
        """The longest hard limit of any stage, in seconds."""
        return max(self.hard_time_limits.values())

    @property
    def longest_task_limit(self) -> float:
        """The longest hard limit of any task: a fused or batch task's is the sum of its stages'."""
        if self.pipeline_mode != "chain":
            return sum(self.hard_time_limits.values())
        return self.longest_hard_limit


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()

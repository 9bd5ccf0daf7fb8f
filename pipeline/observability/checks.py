"""Component checks: database, broker, queues, outside services and circuit breakers.

Checks that hold a connection are objects built once and reused, so a probe costs a
round trip and not a connection set-up. Each returns a :class:`ComponentHealth`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import redis
from kombu import Connection  # type: ignore[attr-defined]
from sqlalchemy import inspect, text

from pipeline.observability.health import ComponentHealth, Status
from pipeline.observability.queues import QueueReader
from pipeline.resilience import CircuitState, all_breakers
from pipeline.storage.database import get_engine

SLOW_SECONDS = 1.0


def _timed(status_of: Callable[[], ComponentHealth]) -> ComponentHealth:
    began = time.perf_counter()
    result = status_of()
    result.latency_ms = (time.perf_counter() - began) * 1000
    return result


def _slow(name: str, result: ComponentHealth) -> ComponentHealth:
    if result.status is Status.HEALTHY and result.latency_ms > SLOW_SECONDS * 1000:
        result.status = Status.DEGRADED
        result.critical_issues.append(f"{name}_slow_{int(result.latency_ms)}ms")
    return result


class DatabaseCheck:
    """``SELECT 1`` on the pooled engine; ``full`` adds the table count and pool state."""

    def __init__(self, url: str, *, full: bool = False) -> None:
        self.url = url
        self.full = full

    def __call__(self) -> ComponentHealth:
        """Query the database; slower than a second is DEGRADED."""
        return _slow("database", _timed(self._probe))

    def _probe(self) -> ComponentHealth:
        engine = get_engine(self.url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            details: dict[str, Any] = {"dialect": engine.dialect.name}
            if self.full:
                details["table_count"] = len(inspect(connection).get_table_names())
        if self.full:
            details["connection_pool"] = _pool_state(engine.pool)
        return ComponentHealth(Status.HEALTHY, details=details)


def _pool_state(pool: Any) -> dict[str, int]:
    names = ("size", "checkedout", "overflow")
    return {name: int(getattr(pool, name)()) for name in names if hasattr(pool, name)}


class BrokerCheck:
    """A round trip to the broker: Redis ``PING``, or a passive exchange declare on RabbitMQ."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url = url
        self.kind = url.split("://", 1)[0]
        self.timeout = timeout
        self._lock = threading.Lock()
        self._redis: redis.Redis[bytes] | None = None
        self._amqp: Any = None

    def __call__(self) -> ComponentHealth:
        """Reach the broker; slower than a second is DEGRADED."""
        return _slow("broker", _timed(self._probe))

    def _probe(self) -> ComponentHealth:
        details: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("redis", "rediss", "unix"):
            details.update(self._redis_probe())
        elif self.kind in ("amqp", "amqps", "pyamqp"):
            self._amqp_probe()
        return ComponentHealth(Status.HEALTHY, details=details)

    def _redis_probe(self) -> dict[str, Any]:
        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout
            )
        self._redis.ping()
        return {}

    def _amqp_probe(self) -> None:
        with self._lock:
            try:
                if self._amqp is None:
                    self._amqp = Connection(  # type: ignore[no-untyped-call]
                        self.url, connect_timeout=self.timeout
                    )
                    self._amqp.ensure_connection(max_retries=1)
                # amq.direct always exists: a round trip that needs no queue of ours.
                self._amqp.default_channel.exchange_declare("amq.direct", "direct", passive=True)
            except self._amqp_errors():
                self.close()
                raise

    def _amqp_errors(self) -> tuple[type[BaseException], ...]:
        if self._amqp is None:
            return (OSError,)
        return (*self._amqp.connection_errors, *self._amqp.channel_errors)

    def close(self) -> None:
        """Drop kept connections; the next probe reconnects."""
        if self._amqp is not None:
            self._amqp.release()
            self._amqp = None
        if self._redis is not None:
            self._redis.close()
            self._redis = None


class RedisCheck:
    """Shared-state Redis: ping latency, memory used and key count."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def __call__(self) -> ComponentHealth:
        """Ping, then read memory and key count."""
        return _slow("redis", _timed(self._probe))

    def _probe(self) -> ComponentHealth:
        self._client.ping()
        memory = self._client.info("memory")
        details = {
            "memory_mb": round(int(memory.get("used_memory", 0)) / 1048576, 1),
            "keys": int(self._client.dbsize()),
        }
        return ComponentHealth(Status.HEALTHY, details=details)


class QueueCheck:
    """Depth of each queue against the warning and critical thresholds."""

    def __init__(
        self, reader: QueueReader, queues: Sequence[str], warning: int, critical: int
    ) -> None:
        self.reader = reader
        self.queues = list(queues)
        self.warning = warning
        self.critical = critical

    def __call__(self) -> ComponentHealth:
        """Over ``warning`` messages is DEGRADED, over ``critical`` UNHEALTHY."""
        depths = self.reader.depths(self.queues)
        statuses, issues = [Status.HEALTHY], []
        for queue, depth in depths.items():
            if depth > self.critical:
                statuses.append(Status.UNHEALTHY)
                issues.append(f"{queue}_queue_depth_{depth}")
            elif depth > self.warning:
                statuses.append(Status.DEGRADED)
                issues.append(f"{queue}_queue_depth_{depth}")
        return ComponentHealth(Status.worst(statuses), 0.0, issues, {"queues": depths})


def http_service(url: str, timeout: float) -> Callable[[], ComponentHealth]:
    """A check that GETs ``url``; any answer below 500 means the service is up."""

    def check() -> ComponentHealth:
        response = httpx.get(url, timeout=timeout)
        status = Status.HEALTHY if response.status_code < 500 else Status.DEGRADED
        issues = [] if status is Status.HEALTHY else [f"http_{response.status_code}"]
        return ComponentHealth(status, critical_issues=issues)

    return check


def clamd_service(address: str, timeout: float) -> Callable[[], ComponentHealth]:
    """A check that sends clamd ``zPING`` to ``host:port`` and expects ``PONG``."""
    host, _, port = address.rpartition(":")

    def check() -> ComponentHealth:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout) as conn:
            conn.sendall(b"zPING\0")
            reply = conn.recv(64)
        if reply.startswith(b"PONG"):
            return ComponentHealth(Status.HEALTHY)
        return ComponentHealth(Status.DEGRADED, critical_issues=["no_pong"])

    return check


class ServicesCheck:
    """Outside services, each probed in turn; any one down makes the component DEGRADED.

    A service that is down is not fatal: its stage falls back and the email is still
    decided under the degraded policy.
    """

    def __init__(self, services: dict[str, Callable[[], ComponentHealth]]) -> None:
        self.services = services

    def __call__(self) -> ComponentHealth:
        """``{"services": {name: {...}}}`` with one entry per configured service."""
        results: dict[str, Any] = {}
        issues: list[str] = []
        for name, check in self.services.items():
            try:
                result = _timed(check)
            except Exception as error:
                result = ComponentHealth(Status.DEGRADED, critical_issues=["unreachable"])
                result.details["error"] = type(error).__name__
            results[name] = result.as_dict()
            issues.extend(f"{name}_{issue}" for issue in result.critical_issues)
        status = Status.DEGRADED if issues else Status.HEALTHY
        return ComponentHealth(status, 0.0, issues, {"services": results})


def breakers_check() -> ComponentHealth:
    """Breakers of this process: any open circuit makes the component DEGRADED.

    Note:
        States are listed flat beside ``status`` (the seed guide's shape), so a
        breaker must not be named ``status``, ``latency_ms`` or ``critical_issues``.
    """
    states: dict[str, str] = {}
    issues: list[str] = []
    for name, breaker in sorted(all_breakers().items()):
        state = breaker.state
        states[name] = state.value.upper()
        if state in (CircuitState.OPEN, CircuitState.FORCED_OPEN):
            issues.append(f"circuit_open_{name}")
        elif state is CircuitState.HALF_OPEN:
            issues.append(f"circuit_half_open_{name}")
    status = Status.DEGRADED if any(i.startswith("circuit_open") for i in issues) else None
    return ComponentHealth(status or Status.HEALTHY, 0.0, issues, states)

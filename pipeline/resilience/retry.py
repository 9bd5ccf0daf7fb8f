"""Retry policies for transient failures, and the guarded call that composes them.

A guarded call runs ``fallback(retry(breaker(timeout(fn))))``: each attempt has
its own deadline and goes through the breaker; a rejection by the breaker
(``CircuitOpenError``) ends the retries at once and goes to the fallback.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from pipeline.errors import TransientError
from pipeline.resilience.breaker import CircuitBreaker, apply_fallback
from pipeline.resilience.fallback import FallbackHandler
from pipeline.resilience.timeouts import with_timeout

T = TypeVar("T")
logger = logging.getLogger(__name__)


class stop_before_deadline(stop_base):  # noqa: N801 - named like tenacity's own strategies
    """Stop when the next wait would end past ``deadline`` seconds from the first attempt.

    Elapsed time is the larger of the real time since the first attempt and the
    total of the waits so far, so an injected fake ``sleep`` still counts.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Whether to give up now."""
        real = time.monotonic() - retry_state.start_time
        elapsed = max(real, retry_state.idle_for)
        return elapsed + retry_state.upcoming_sleep >= self.deadline


def retry_policy(
    *,
    attempts: int = 3,
    deadline: float | None = None,
    initial: float = 0.2,
    maximum: float = 5.0,
    jitter: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    operation: str = "call",
) -> Retrying:
    """A policy that retries only ``TransientError``, with exponential backoff and jitter.

    Waits are ``initial * 2**n`` capped at ``maximum``, plus a random ``0..jitter``.

    It stops after ``attempts`` attempts or before a wait that would cross
    ``deadline`` seconds (choose it to fit inside the Celery stage's soft limit),
    and re-raises the last error. ``PermanentError`` and ``CircuitOpenError`` are
    never retried. ``operation`` names the call in the ``retry.scheduled`` log.

    Note:
        The deadline bounds when a new attempt may start; an attempt already
        running needs its own timeout (``guarded_call(..., timeout=...)``).
    """
    stop: stop_base = stop_after_attempt(attempts)
    if deadline is not None:
        stop = stop | stop_before_deadline(deadline)
    return Retrying(
        stop=stop,
        wait=wait_exponential(multiplier=initial, max=maximum) + wait_random(0, jitter),
        retry=retry_if_exception_type(TransientError),
        sleep=sleep,
        reraise=True,
        before_sleep=functools.partial(_log_retry, operation),
    )


def guarded_call(
    breaker: CircuitBreaker,
    fn: Callable[..., T],
    *args: Any,
    retry: Retrying | None = None,
    fallback: FallbackHandler[Any] | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> T:
    """Call ``fn`` with a per-attempt ``timeout``, retries, the breaker and a fallback.

    ``fallback`` defaults to the breaker's own; it answers a rejection or the last
    recorded failure, never an error the breaker ignores.
    """
    attempt = fn if timeout is None else with_timeout(timeout, breaker.name)(fn)
    policy = retry or retry_policy(operation=breaker.name)
    try:
        outcome: T = policy(breaker.execute, attempt, *args, **kwargs)
    except Exception as error:
        handler = fallback or breaker.fallback
        result: T = apply_fallback(handler, breaker.config, error, args, kwargs)
        return result
    return outcome


def _log_retry(operation: str, retry_state: RetryCallState) -> None:
    outcome = retry_state.outcome
    error = outcome.exception() if outcome is not None else None
    logger.info(
        "retry.scheduled operation=%s attempt=%s wait=%.3f error_type=%s",
        operation,
        retry_state.attempt_number,
        retry_state.upcoming_sleep,
        type(error).__name__,
        extra={
            "event": "retry.scheduled",
            "operation": operation,
            "attempt": retry_state.attempt_number,
            "wait": retry_state.upcoming_sleep,
            "error_type": type(error).__name__,
        },
    )

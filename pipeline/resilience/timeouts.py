"""Deadlines for outside calls: the default limits and sync, async and decorator forms."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar, cast

from pipeline.errors import ConfigurationError
from pipeline.resilience import timeout_interrupt
from pipeline.resilience.timeout_interrupt import OperationTimeoutError, TimeoutInterruptError
from pipeline.resilience.timeout_metrics import TimeoutMetrics, TimeoutStats

if TYPE_CHECKING:
    from pipeline.settings import Settings

__all__ = [
    "OperationTimeoutError",
    "SyncTimeout",
    "TimeoutConfig",
    "TimeoutInterruptError",
    "TimeoutMetrics",
    "TimeoutStats",
    "async_timeout",
    "with_timeout",
]

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)


class _ReadOnlyAliases(type):
    """Refuses to rebind the UPPER_CASE default names of a class."""

    def __setattr__(cls, name: str, value: object) -> None:
        if name.isupper():
            raise AttributeError(f"{name} is a read-only default")
        super().__setattr__(name, value)


@dataclass(frozen=True, slots=True)
class TimeoutConfig(metaclass=_ReadOnlyAliases):
    """Time limits in seconds, per outside dependency and per stage task.

    The UPPER_CASE class attributes are the defaults under their historical
    names (``TimeoutConfig.NLP_SERVICE_TIMEOUT``); they cannot be rebound. A stage
    without a limit of its own in ``stage_soft`` / ``stage_hard`` gets
    ``task_soft`` / ``task_hard``.
    """

    NLP_SERVICE_TIMEOUT: ClassVar[float] = 5.0
    URL_ANALYZER_TIMEOUT: ClassVar[float] = 5.0
    CLAMAV_TIMEOUT: ClassVar[float] = 10.0
    DATABASE_QUERY_TIMEOUT: ClassVar[float] = 10.0
    DATABASE_CONNECTION_TIMEOUT: ClassVar[float] = 3.0
    TASK_SOFT_TIMEOUT: ClassVar[float] = 30.0
    TASK_HARD_TIMEOUT: ClassVar[float] = 60.0
    API_REQUEST_TIMEOUT: ClassVar[float] = 30.0
    QUEUE_OPERATION_TIMEOUT: ClassVar[float] = 5.0

    nlp_service: float = NLP_SERVICE_TIMEOUT
    url_analyzer: float = URL_ANALYZER_TIMEOUT
    clamav: float = CLAMAV_TIMEOUT
    database_query: float = DATABASE_QUERY_TIMEOUT
    database_connection: float = DATABASE_CONNECTION_TIMEOUT
    task_soft: float = TASK_SOFT_TIMEOUT
    task_hard: float = TASK_HARD_TIMEOUT
    api_request: float = API_REQUEST_TIMEOUT
    queue_operation: float = QUEUE_OPERATION_TIMEOUT
    stage_soft: Mapping[str, float] = field(default_factory=dict)
    stage_hard: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task_hard <= self.task_soft:
            raise ConfigurationError("task_hard must be longer than task_soft")
        for stage in sorted(self.stage_soft.keys() | self.stage_hard.keys()):
            if self.hard_limit(stage) <= self.soft_limit(stage):
                raise ConfigurationError(f"the hard limit of {stage} must exceed its soft limit")

    @classmethod
    def from_settings(cls, settings: Settings) -> TimeoutConfig:
        """The limits the settings configure: one service timeout, limits per stage.

        clamd gets six service timeouts to read its answer: it scans the whole
        stream before it says anything.
        """
        service = settings.service_timeout
        return cls(
            nlp_service=service,
            url_analyzer=service,
            clamav=service * 6,
            stage_soft=dict(settings.soft_time_limits),
            stage_hard=dict(settings.hard_time_limits),
        )

    def soft_limit(self, stage: str) -> float:
        """The soft time limit of a stage task: it raises inside the stage."""
        return self.stage_soft.get(stage, self.task_soft)

    def hard_limit(self, stage: str) -> float:
        """The hard time limit of a stage task: its pool process is killed."""
        return self.stage_hard.get(stage, self.task_hard)


class SyncTimeout:
    """Raise ``OperationTimeoutError`` if the ``with`` block runs past ``seconds``.

    Works in the main thread (SIGALRM) and in worker threads (a watchdog thread);
    timeouts nest, and each expiry is counted in :class:`TimeoutMetrics`.

    Note:
        Only pure-Python code is interrupted promptly: see
        :mod:`pipeline.resilience.timeout_interrupt` for the limits. Enter one
        instance in one thread at a time; make a new one per block.
    """

    def __init__(self, seconds: float, operation: str = "operation") -> None:
        _check(seconds)
        self.seconds = seconds
        self.operation = operation
        self._deadline: timeout_interrupt.Deadline | None = None

    def __enter__(self) -> SyncTimeout:
        self._deadline = timeout_interrupt.arm(self.seconds)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        deadline, self._deadline = self._deadline, None
        assert deadline is not None, "exit without enter"
        if timeout_interrupt.disarm(deadline, exc):
            raise _expired(self.operation, self.seconds) from exc


@asynccontextmanager
async def async_timeout(seconds: float, operation: str = "operation") -> AsyncIterator[None]:
    """Raise ``OperationTimeoutError`` if the ``async with`` block runs past ``seconds``.

    Nests like ``asyncio.timeout``; a ``TimeoutError`` raised by the block itself
    (say, a socket timeout) passes through unchanged.
    """
    _check(seconds)
    scope = asyncio.timeout(seconds)
    try:
        async with scope:
            yield
    except TimeoutError as error:
        if not scope.expired():
            raise
        raise _expired(operation, seconds) from error


def with_timeout(
    seconds: float, operation: str = "operation"
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a sync or async function so each call must finish within ``seconds``."""
    _check(seconds)

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with async_timeout(seconds, operation):
                    return await fn(*args, **kwargs)

            return cast(Callable[P, T], run_async)

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            with SyncTimeout(seconds, operation):
                return fn(*args, **kwargs)

        return run

    return decorate


def _expired(operation: str, seconds: float) -> OperationTimeoutError:
    TimeoutMetrics.record_timeout(operation, seconds)
    logger.warning(
        "timeout.expired operation=%s seconds=%s",
        operation,
        seconds,
        extra={"event": "timeout.expired", "operation": operation, "seconds": seconds},
    )
    return OperationTimeoutError(operation, seconds)


def _check(seconds: float) -> None:
    if seconds <= 0:
        raise ConfigurationError("a timeout must be a positive number of seconds")

"""Deadlines in the main thread, in worker threads, nested, async, and their statistics."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable

import pytest

from pipeline.errors import ConfigurationError, ServiceTimeoutError
from pipeline.resilience import (
    OperationTimeoutError,
    SyncTimeout,
    TimeoutConfig,
    TimeoutMetrics,
    async_timeout,
    with_timeout,
)
from pipeline.settings import Settings


def _spin(seconds: float) -> None:
    """Busy Python code, interruptible only between bytecodes."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _in_thread(body: Callable[[], None]) -> BaseException | None:
    """Run ``body`` in a worker thread and return what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as error:
            raised.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    return raised[0] if raised else None


def test_config_has_the_guide_defaults_under_both_names() -> None:
    """Lower-case fields and UPPER_CASE aliases give the same defaults."""
    config = TimeoutConfig()

    assert config.nlp_service == TimeoutConfig.NLP_SERVICE_TIMEOUT == 5
    assert config.clamav == TimeoutConfig.CLAMAV_TIMEOUT == 10
    assert (config.task_soft, config.task_hard) == (30, 60)


def test_config_aliases_are_read_only() -> None:
    """The UPPER_CASE defaults cannot be rebound at run time."""
    with pytest.raises(AttributeError):
        TimeoutConfig.NLP_SERVICE_TIMEOUT = 1.0


def test_stage_limits_come_from_the_settings() -> None:
    """Per-stage soft and hard limits and the service timeout are the settings' values."""
    settings = Settings(
        soft_time_limits={"attachments": 90}, hard_time_limits={"attachments": 120},
        service_timeout=2.0,
    )  # fmt: skip

    config = TimeoutConfig.from_settings(settings)

    assert (config.soft_limit("attachments"), config.hard_limit("attachments")) == (90, 120)
    assert (config.soft_limit("parse"), config.hard_limit("parse")) == (20, 40)
    assert (config.nlp_service, config.url_analyzer) == (2.0, 2.0)


def test_a_stage_without_its_own_limits_gets_the_task_defaults() -> None:
    """A stage named nowhere falls back to task_soft and task_hard."""
    config = TimeoutConfig(stage_soft={"parse": 5}, stage_hard={"parse": 9})

    assert (config.soft_limit("unknown"), config.hard_limit("unknown")) == (30, 60)


def test_a_hard_limit_below_the_soft_limit_is_refused() -> None:
    """A stage whose hard limit does not exceed its soft limit is a configuration error."""
    with pytest.raises(ConfigurationError, match="parse"):
        TimeoutConfig(stage_soft={"parse": 50}, stage_hard={"parse": 40})


def test_main_thread_timeout_interrupts_a_blocking_sleep() -> None:
    """In the main thread, SIGALRM breaks out of time.sleep."""
    started = time.monotonic()

    with pytest.raises(OperationTimeoutError) as expired, SyncTimeout(0.05, "nlp_service"):
        time.sleep(5)

    assert time.monotonic() - started < 1
    assert (expired.value.operation, expired.value.seconds) == ("nlp_service", 0.05)
    assert isinstance(expired.value, ServiceTimeoutError)


def test_main_thread_timeout_restores_the_previous_alarm() -> None:
    """A SIGALRM handler and timer set before (pytest-timeout's) are put back afterwards."""
    previous = signal.getsignal(signal.SIGALRM)

    with SyncTimeout(5, "quick"):
        pass

    assert signal.getsignal(signal.SIGALRM) == previous


def test_fast_block_is_not_interrupted() -> None:
    """A block that finishes in time returns normally and records nothing."""
    with SyncTimeout(1, "fast"):
        value = sum(range(100))

    assert value == 4950
    assert TimeoutMetrics.get_timeout_stats() == {}


def test_worker_thread_timeout_interrupts_python_code() -> None:
    """Outside the main thread the watchdog interrupts a busy loop."""

    def body() -> None:
        with SyncTimeout(0.05, "url_analyzer"):
            _spin(5)

    raised = _in_thread(body)

    assert isinstance(raised, OperationTimeoutError)
    assert raised.operation == "url_analyzer"


def test_inner_deadline_fires_first_and_outer_continues() -> None:
    """A shorter inner deadline raises; the enclosing block keeps running."""

    def body() -> None:
        with SyncTimeout(2, "outer"):
            with pytest.raises(OperationTimeoutError, match="inner"), SyncTimeout(0.03, "inner"):
                _spin(5)
            _spin(0.01)

    assert _in_thread(body) is None


def test_outer_deadline_fires_through_a_longer_inner_one() -> None:
    """When the outer deadline is earlier, the outer scope reports the timeout."""

    def body() -> None:
        with SyncTimeout(0.03, "outer"), SyncTimeout(5, "inner"):
            _spin(5)

    raised = _in_thread(body)

    assert isinstance(raised, OperationTimeoutError)
    assert raised.operation == "outer"


def test_nested_deadlines_in_the_main_thread() -> None:
    """Nesting works with SIGALRM too: the inner one fires, then the outer one."""
    inner_expired: list[str] = []

    def body() -> None:
        with SyncTimeout(0.1, "outer"):
            try:
                with SyncTimeout(0.02, "inner"):
                    time.sleep(5)
            except OperationTimeoutError as error:
                inner_expired.append(error.operation)
            time.sleep(5)

    with pytest.raises(OperationTimeoutError, match="outer"):
        body()

    assert inner_expired == ["inner"]


def test_expired_deadlines_leave_no_stray_interrupt() -> None:
    """Many blocks ending right at their deadline never raise after the block."""

    def body() -> None:
        for _ in range(50):
            try:
                with SyncTimeout(0.001, "edge"):
                    _spin(0.001)
            except OperationTimeoutError:
                pass
        _spin(0.05)

    assert _in_thread(body) is None


def test_async_timeout_raises_operation_timeout() -> None:
    """async_timeout converts the expiry into OperationTimeoutError."""

    async def slow() -> None:
        async with async_timeout(0.02, "external_api"):
            await asyncio.sleep(5)

    with pytest.raises(OperationTimeoutError, match="external_api"):
        asyncio.run(slow())


def test_async_timeout_passes_the_blocks_own_timeout_error() -> None:
    """A TimeoutError raised by the block itself is not counted as this deadline."""

    async def socket_timeout() -> None:
        async with async_timeout(5, "external_api"):
            raise TimeoutError("socket")

    with pytest.raises(TimeoutError, match="socket"):
        asyncio.run(socket_timeout())

    assert TimeoutMetrics.get_timeout_stats() == {}


def test_with_timeout_decorates_sync_and_async_functions() -> None:
    """with_timeout bounds both kinds of function."""

    @with_timeout(0.02, "clamav")
    def scan() -> None:
        time.sleep(5)

    @with_timeout(0.02, "clamav")
    async def scan_async() -> None:
        await asyncio.sleep(5)

    with pytest.raises(OperationTimeoutError):
        scan()
    with pytest.raises(OperationTimeoutError):
        asyncio.run(scan_async())

    assert TimeoutMetrics.get_timeout_stats()["clamav"]["count"] == 2


def test_timeout_metrics_count_per_operation() -> None:
    """record_timeout keeps a count and the Unix time of the last timeout."""
    before = time.time()

    TimeoutMetrics.record_timeout("nlp_service", 5.0)
    TimeoutMetrics.record_timeout("nlp_service", 5.0)

    stats = TimeoutMetrics.get_timeout_stats()["nlp_service"]
    assert stats["count"] == 2
    assert before <= stats["last_timeout"] <= time.time()
    assert stats["total_seconds"] == 10.0


def test_timeout_metrics_listener_hears_each_timeout() -> None:
    """A subscribed listener receives operation and limit of every timeout."""
    heard: list[tuple[str, float]] = []
    TimeoutMetrics.subscribe(lambda operation, seconds: heard.append((operation, seconds)))

    with pytest.raises(OperationTimeoutError), SyncTimeout(0.01, "queue_operation"):
        time.sleep(5)

    assert heard == [("queue_operation", 0.01)]


def test_timeout_metrics_reset_forgets_everything() -> None:
    """reset() empties the statistics."""
    TimeoutMetrics.record_timeout("database_query", 10.0)

    TimeoutMetrics.reset()

    assert TimeoutMetrics.get_timeout_stats() == {}

"""Fallbacks, the decorator forms, the context-manager form and the registry."""

from __future__ import annotations

import asyncio

import pytest

from pipeline.errors import (
    BadInputError,
    CircuitOpenError,
    ConfigurationError,
    PermanentError,
    ServiceUnavailableError,
)
from pipeline.resilience import (
    CircuitBreaker,
    CircuitState,
    FallbackHandler,
    MemoryBreakerStore,
    all_breakers,
    circuit_breaker,
    configure_store,
    get_breaker,
)
from tests.unit.resilience.conftest import BreakerFactory
from tests.unit.resilience.fakes import fail, succeed


def test_static_fallback_answers_a_rejection(make_breaker: BreakerFactory) -> None:
    """An open circuit answers with the static fallback value."""
    breaker = make_breaker(failure_threshold=1, fallback=FallbackHandler.static("degraded"))
    breaker.force_open()

    result = breaker.call(succeed)

    assert result == "degraded"


def test_callable_fallback_gets_the_error_and_arguments(make_breaker: BreakerFactory) -> None:
    """A callable fallback receives the error and the original arguments."""
    fallback = FallbackHandler.from_callable(lambda error, text: f"{type(error).__name__}:{text}")
    breaker = make_breaker(fallback=fallback)

    result = breaker.call(_fail_with, "hello")

    assert result == "ServiceUnavailableError:hello"


def test_fallback_skips_errors_the_breaker_ignores(make_breaker: BreakerFactory) -> None:
    """Bad input is the caller's fault: it propagates instead of being hidden."""
    breaker = make_breaker(fallback=FallbackHandler.static("degraded"))

    with pytest.raises(BadInputError):
        breaker.call(_bad_input)


def test_fallback_can_be_limited_to_rejections(make_breaker: BreakerFactory) -> None:
    """on_failure=False lets failures propagate while rejections get the fallback."""
    breaker = make_breaker(fallback=FallbackHandler.static("degraded", on_failure=False))

    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)


def test_raising_fallback_converts_the_error(make_breaker: BreakerFactory) -> None:
    """A raising fallback replaces the rejection with the caller's chosen error."""
    handler = FallbackHandler.raising(lambda error: PermanentError(f"gave up: {error}"))
    breaker = make_breaker(fallback=handler)
    breaker.force_open()

    with pytest.raises(PermanentError, match="gave up"):
        breaker.call(succeed)


def test_decorator_uses_the_named_breaker_from_the_registry() -> None:
    """@circuit_breaker registers its breaker by name on first call and opens on failures."""

    @circuit_breaker(name="nlp_service", failure_threshold=2, recovery_timeout=60)
    def predict(text: str) -> str:
        raise ServiceUnavailableError(text)

    for _ in range(2):
        with pytest.raises(ServiceUnavailableError):
            predict("x")

    assert all_breakers()["nlp_service"].state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        predict("x")


def test_decorator_on_async_function_with_fallback() -> None:
    """An async function is awaited through the breaker and falls back when open."""

    @circuit_breaker(name="url_analyzer", fallback=FallbackHandler.static(0.0))
    async def score(url: str) -> float:
        await asyncio.sleep(0)
        return 0.9

    get_breaker("url_analyzer").force_open()

    assert asyncio.run(score("http://example.test")) == 0.0


def test_breaker_object_decorates_sync_and_async_functions() -> None:
    """A breaker instance is itself a decorator for both kinds of function."""
    breaker = CircuitBreaker("direct", failure_threshold=1)

    @breaker
    def sync_call() -> int:
        return 1

    @breaker
    async def async_call() -> int:
        return 2

    assert (sync_call(), asyncio.run(async_call())) == (1, 2)
    assert breaker.snapshot().calls == 2


def test_attempt_block_counts_as_one_call(make_breaker: BreakerFactory) -> None:
    """An exception leaving a ``with breaker.attempt()`` block is recorded as a failure."""
    breaker = make_breaker(failure_threshold=1)

    with pytest.raises(ServiceUnavailableError), breaker.attempt():
        fail()

    assert breaker.state is CircuitState.OPEN


def test_async_attempt_block_is_rejected_when_open(make_breaker: BreakerFactory) -> None:
    """``async with breaker.attempt()`` raises CircuitOpenError on an open circuit."""
    breaker = make_breaker()
    breaker.force_open()

    async def guarded() -> None:
        async with breaker.attempt():
            await asyncio.sleep(0)

    with pytest.raises(CircuitOpenError):
        asyncio.run(guarded())


def test_registry_returns_one_breaker_per_name() -> None:
    """get_breaker returns the same object for the same name."""
    first = get_breaker("clamav", failure_threshold=3)

    again = get_breaker("clamav")

    assert again is first
    assert first.config.failure_threshold == 3


def test_registry_refuses_a_conflicting_configuration() -> None:
    """Asking for an existing name with other settings is a configuration error."""
    get_breaker("clamav", failure_threshold=3)

    with pytest.raises(ConfigurationError):
        get_breaker("clamav", failure_threshold=4)


def test_configured_store_is_used_by_new_breakers() -> None:
    """configure_store sets the store of breakers created afterwards."""
    store = MemoryBreakerStore()

    configure_store(store)
    breaker = get_breaker("database")

    assert breaker.store is store


def test_invalid_configuration_is_rejected() -> None:
    """A nonsensical threshold fails fast with ConfigurationError."""
    with pytest.raises(ConfigurationError):
        CircuitBreaker("bad", failure_rate_threshold=1.5)


def _fail_with(text: str) -> str:
    raise ServiceUnavailableError(text)


def _bad_input() -> None:
    raise BadInputError("not an email")

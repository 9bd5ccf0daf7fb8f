"""``@circuit_breaker(name=...)``: guard a function with the registry's named breaker."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, Unpack, cast

from pipeline.resilience.breaker import apply_fallback
from pipeline.resilience.breaker_config import BreakerConfig, ExtraBreakerOptions
from pipeline.resilience.fallback import FallbackHandler
from pipeline.resilience.registry import get_breaker

P = ParamSpec("P")
T = TypeVar("T")


def circuit_breaker(
    name: str,
    failure_threshold: int = 5,
    recovery_timeout: float = 60.0,
    *,
    fallback: FallbackHandler[Any] | None = None,
    **options: Unpack[ExtraBreakerOptions],
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Guard a sync or async function with the breaker ``name`` from the registry.

    The configuration is checked when the function is decorated, but the breaker
    is looked up at each call, so :func:`configure_store` and
    :func:`reset_registry` made after import still apply. ``fallback`` answers
    for this function only; functions sharing one name share one circuit.
    """
    config = BreakerConfig(
        failure_threshold=failure_threshold, recovery_timeout=recovery_timeout, **options
    )

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        if inspect.iscoroutinefunction(fn):

            @wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                breaker = get_breaker(name, config)
                try:
                    return await breaker.execute_async(fn, *args, **kwargs)
                except Exception as error:
                    return apply_fallback(fallback, config, error, args, kwargs)

            return cast(Callable[P, T], run_async)

        @wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            breaker = get_breaker(name, config)
            try:
                return breaker.execute(fn, *args, **kwargs)
            except Exception as error:
                return cast(T, apply_fallback(fallback, config, error, args, kwargs))

        return run

    return decorate

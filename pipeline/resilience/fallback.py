"""What a protected call answers when its breaker rejects it or the service fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NoReturn, TypeVar

from pipeline.errors import CircuitOpenError
from pipeline.resilience.breaker_config import BreakerConfig

T = TypeVar("T")


class FallbackHandler(Generic[T]):
    """A strategy that turns a rejection or a recorded failure into an answer.

    ``handler`` receives the error followed by the arguments of the original
    call. Errors the breaker ignores (by default ``PermanentError``: the caller's
    fault) and non-``Exception`` errors such as cancellation are never handled;
    they propagate unchanged.
    """

    def __init__(
        self,
        handler: Callable[..., T],
        *,
        on_rejected: bool = True,
        on_failure: bool = True,
    ) -> None:
        self._handler = handler
        self.on_rejected = on_rejected
        self.on_failure = on_failure

    @classmethod
    def static(cls, value: T, **when: bool) -> FallbackHandler[T]:
        """Always answer ``value``."""
        return cls(lambda *_args, **_kwargs: value, **when)

    @classmethod
    def from_callable(cls, handler: Callable[..., T], **when: bool) -> FallbackHandler[T]:
        """Answer ``handler(error, *args, **kwargs)``."""
        return cls(handler, **when)

    @classmethod
    def raising(
        cls, factory: Callable[[BaseException], BaseException], **when: bool
    ) -> FallbackHandler[NoReturn]:
        """Raise ``factory(error)`` from the original error, e.g. to degrade to a PermanentError."""

        def reraise(error: BaseException, *_args: Any, **_kwargs: Any) -> NoReturn:
            raise factory(error) from error

        return FallbackHandler(reraise, **when)

    def handles(self, error: BaseException, config: BreakerConfig) -> bool:
        """Whether this fallback answers for ``error`` under ``config``."""
        if isinstance(error, CircuitOpenError):
            return self.on_rejected
        if not isinstance(error, Exception):
            return False
        return self.on_failure and config.is_recorded(error)

    def resolve(self, error: BaseException, *args: Any, **kwargs: Any) -> T:
        """The fallback answer for ``error`` raised by a call with these arguments."""
        return self._handler(error, *args, **kwargs)

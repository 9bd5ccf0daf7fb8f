"""The exception hierarchy: every error PhishX raises derives from PhishXError.

The class says what the caller should do. Retry policies key off these classes,
never off message strings.
"""


class PhishXError(Exception):
    """Root of every error raised by PhishX code."""


class TransientError(PhishXError):
    """A failure that may succeed if tried again later (timeouts, refused connections)."""


class ServiceTimeoutError(TransientError):
    """An outside call did not answer within its deadline."""


class ServiceUnavailableError(TransientError):
    """An outside service refused the connection or answered with a server error."""


class PermanentError(PhishXError):
    """A failure that will happen again on retry; do not retry it."""


class BadInputError(PermanentError):
    """The input cannot be processed as given (missing file, not an email, bad request)."""


class ConfigurationError(PermanentError):
    """A setting is missing or inconsistent."""


class NotFoundError(PermanentError):
    """The requested record does not exist."""


class CircuitOpenError(PhishXError):
    """A circuit breaker refused the call; use the fallback and do not retry now."""

    def __init__(self, circuit: str, retry_after: float | None = None) -> None:
        detail = f"circuit {circuit!r} is open"
        if retry_after is not None:
            detail += f"; retry after {retry_after:.1f}s"
        super().__init__(detail)
        self.circuit = circuit
        self.retry_after = retry_after


class InvalidSignatureError(PhishXError):
    """A signed request failed verification; the reason never contains the secret."""

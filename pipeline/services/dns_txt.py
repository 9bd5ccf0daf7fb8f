"""TXT lookups for DKIM keys, with a deadline and an optional breaker.

Nothing is looked up unless the settings enable DKIM DNS lookups; the analyzers
take any callable of the :data:`TxtLookup` shape, so tests inject keys directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dns.exception
import dns.resolver

from pipeline.errors import ServiceTimeoutError, ServiceUnavailableError
from pipeline.services.guard import CallGuard, unguarded

log = logging.getLogger(__name__)

TxtLookup = Callable[[str], bytes | None]


class DnsTxtResolver:
    """Resolve TXT records with dnspython; None when the name has no record.

    Note:
        Multi-string TXT records are joined without separators, as DKIM requires.
    """

    def __init__(
        self,
        timeout: float,
        nameservers: list[str] | None = None,
        guard: CallGuard = unguarded,
    ) -> None:
        self._resolver = dns.resolver.Resolver(configure=nameservers is None)
        if nameservers is not None:
            self._resolver.nameservers = nameservers
        self._resolver.lifetime = timeout
        self._resolver.timeout = timeout
        self._guard = guard

    def __call__(self, name: str) -> bytes | None:
        """The TXT record at ``name``, or None if there is none."""
        return self._guard(lambda: self._lookup(name))

    def _lookup(self, name: str) -> bytes | None:
        try:
            answer = self._resolver.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.exception.Timeout as error:
            log.warning("dns_timeout name=%s", name)
            raise ServiceTimeoutError(f"TXT lookup timed out: {name}") from error
        except dns.exception.DNSException as error:
            raise ServiceUnavailableError(f"TXT lookup failed: {type(error).__name__}") from error
        for record in answer:
            strings = getattr(record, "strings", ())
            return b"".join(strings)
        return None

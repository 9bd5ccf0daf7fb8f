"""Sender authentication: Authentication-Results (SPF, DKIM, DMARC, ARC) and DKIM checks.

Only the topmost Authentication-Results header is read: it is the one the receiving
boundary added; lower ones were written by hops the sender may control. A missing
header says nothing (old mail, internal relays) and produces no indicator.

Note:
    Authentication-Results cannot be told apart from a forged one without knowing the
    receiving system's authserv-id; PhishX trusts the topmost header as configured
    MTAs strip foreign copies of their own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import authres

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.dkim_check import verify_dkim
from pipeline.domains import registered_domain
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

log = logging.getLogger(__name__)

_METHODS = ("spf", "dkim", "dmarc", "arc", "compauth")
_FALLBACK_RESULT = re.compile(r"\b(spf|dkim|dmarc|arc|compauth)\s*=\s*([a-z]+)", re.IGNORECASE)
_FALLBACK_PROPERTY = re.compile(r"\b(header\.d|header\.from|smtp\.mailfrom)\s*=\s*([^\s;()]+)")


@dataclass(slots=True)
class AuthResult:
    """One method's result and the domains it speaks for."""

    method: str
    result: str
    domains: list[str] = field(default_factory=list)


def parse_auth_results(value: str) -> list[AuthResult]:
    """Parse one Authentication-Results value; tolerate headers without an authserv-id."""
    text = " ".join(value.split())
    if re.match(r"^(spf|dkim|dmarc|arc|compauth)\s*=", text, re.IGNORECASE):
        text = "unknown; " + text
    try:
        header = authres.AuthenticationResultsHeader.parse_value(text)
    except (authres.AuthResError, ValueError, IndexError, AttributeError):
        return _parse_loosely(text)
    results: list[AuthResult] = []
    for item in header.results:
        domains = [str(prop.value).lower() for prop in item.properties or [] if prop.value]
        results.append(AuthResult(str(item.method).lower(), str(item.result).lower(), domains))
    return results or _parse_loosely(text)


def _parse_loosely(text: str) -> list[AuthResult]:
    results: list[AuthResult] = []
    for clause in text.split(";"):
        match = _FALLBACK_RESULT.search(clause)
        if not match:
            continue
        domains = [value.lower() for _, value in _FALLBACK_PROPERTY.findall(clause)]
        results.append(AuthResult(match.group(1).lower(), match.group(2).lower(), domains))
    return results


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Indicators from the receiving boundary's results and from DKIM verification."""
    outcome = StageOutcome()
    from_domain = registered_domain(message.from_.domain) if message.from_ else ""
    headers = message.header_all("Authentication-Results")
    if headers:
        _judge(parse_auth_results(headers[0]), from_domain, outcome)
    if context.dkim_dns is not None and message.header("DKIM-Signature"):
        verify_dkim(message, context.dkim_dns, from_domain, outcome)
    return outcome


def _judge(results: list[AuthResult], from_domain: str, outcome: StageOutcome) -> None:
    seen: set[str] = set()
    for item in results:
        if item.method not in _METHODS or item.method in seen:
            continue
        seen.add(item.method)
        evidence = f"{item.method}={item.result} " + " ".join(item.domains[:3])
        aligned = bool(from_domain) and any(
            registered_domain(domain) == from_domain for domain in item.domains
        )
        if item.result in ("fail", "permerror", "hardfail"):
            outcome.add(f"auth_{item.method}_fail", 15.0, evidence)
        elif item.result == "softfail" and item.method == "spf":
            outcome.add("auth_spf_softfail", 8.0, evidence)
        elif item.result == "pass" and item.method == "dmarc":
            outcome.add("auth_dmarc_pass", -10.0, evidence)
        elif item.result == "pass" and item.method == "dkim" and aligned:
            outcome.add("auth_dkim_pass_aligned", -8.0, evidence)

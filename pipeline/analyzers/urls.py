"""The URL stage: every link's destination, disguise and reputation, and HTML lures.

Note:
    Links are read from the message only. Nothing is fetched, so a clean-looking
    URL that redirects to a phishing page at click time is not caught here.
"""

from __future__ import annotations

import logging

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.html_checks import check_html
from pipeline.analyzers.url_checks import check_url, embedded_urls, host_of, split_url
from pipeline.domains import public_suffix, registered_domain, word_set
from pipeline.errors import CircuitOpenError, PhishXError
from pipeline.indicators import StageOutcome
from pipeline.links import Link
from pipeline.message import ParsedMessage

log = logging.getLogger(__name__)

MAX_URLS_CHECKED = 200
# Security gateways rewrite every link to their own scanner; the text then shows the
# original domain, which is not deception.
LINK_REWRITERS = word_set(
    """
    urldefense.com proofpoint.com mimecastprotect.com mimecast.com outlook.com cudasvc.com
    barracudanetworks.com trendmicro.com fortinet.com
    """
)
_WEB_SCHEMES = ("http://", "https://")

__all__ = ["analyze", "host_of"]


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Check each link, compare shown and real destinations, and look URLs up."""
    outcome = StageOutcome()
    findings: dict[str, tuple[float, str, int]] = {}
    links = message.links[:MAX_URLS_CHECKED]
    for link in links:
        for name, score, evidence in _link_findings(link):
            _, first, count = findings.get(name, (score, evidence, 0))
            findings[name] = (score, first, count + 1)
    for name, (score, evidence, count) in findings.items():
        more = f" (+{count - 1} more)" if count > 1 else ""
        outcome.add(name, score, evidence + more)
    urls = _web_urls(links)
    _check_blocklist(urls, context.url_blocklist, outcome)
    _check_reputation(urls, context, outcome)
    check_html(message, outcome)
    return outcome


def _link_findings(link: Link) -> list[tuple[str, float, str]]:
    findings = check_url(link.url)
    parts = split_url(link.url)
    if parts is not None:
        for target in embedded_urls(parts)[:2]:
            findings.extend(check_url(target))
    shown = _domain_in_text(link.text)
    real = registered_domain(host_of(link.url))
    if shown and real and real not in LINK_REWRITERS and registered_domain(shown) != real:
        findings.append(("link_text_mismatch", 25.0, f"text shows {shown}, link goes to {real}"))
    return findings


def _domain_in_text(text: str) -> str:
    text = text.strip().rstrip("/")
    if not text or " " in text or "." not in text or "@" in text:
        return ""
    host = host_of(text)
    return host if public_suffix(host) else ""


def _web_urls(links: list[Link]) -> list[str]:
    urls = [link.url.strip() for link in links if link.url.strip().lower().startswith(_WEB_SCHEMES)]
    return list(dict.fromkeys(urls))


def _check_blocklist(urls: list[str], blocklist: frozenset[str], outcome: StageOutcome) -> None:
    if not blocklist:
        return
    for url in urls:
        host = host_of(url)
        lowered = url.lower()
        candidates = {host, registered_domain(host)}
        if candidates & blocklist or any(lowered.startswith(entry) for entry in blocklist):
            outcome.add("url_blocklisted", 60.0, f"{host} is on the local blocklist")
            return


def _check_reputation(urls: list[str], context: AnalysisContext, outcome: StageOutcome) -> None:
    if context.url_reputation is None or not urls:
        return
    try:
        verdicts = context.url_reputation.lookup(urls)
    except CircuitOpenError:
        outcome.degrade("url reputation circuit open; no reputation verdict")
        return
    except PhishXError as error:
        log.warning("url_reputation_failed error=%s", type(error).__name__)
        outcome.degrade(f"url reputation unavailable: {type(error).__name__}")
        return
    for kind, score in (("malicious", 60.0), ("suspicious", 20.0)):
        hits = [url for url, verdict in verdicts.items() if verdict == kind]
        if hits:
            outcome.add(f"url_reputation_{kind}", score, f"{host_of(hits[0])} ({len(hits)} URLs)")

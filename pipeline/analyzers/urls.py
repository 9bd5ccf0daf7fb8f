"""URL analysis: where links really go compared with what they show."""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.analyzers.base import AnalysisContext
from pipeline.domains import is_ip_literal, registered_domain
from pipeline.indicators import StageOutcome
from pipeline.links import Link
from pipeline.message import ParsedMessage

_SHORTENERS = frozenset(
    {"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
     "cutt.ly", "shorturl.at", "rb.gy", "t.ly", "tiny.cc", "s.id"}
)  # fmt: skip


def host_of(url: str) -> str:
    """The lower-cased host of a URL, tolerating a missing scheme."""
    candidate = url if "//" in url[:12] else f"http://{url}"
    try:
        return (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return ""


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Flag IP hosts, punycode, shorteners, script URIs and mismatched link text."""
    outcome = StageOutcome()
    fired: set[str] = set()
    for link in message.links:
        for name, score, evidence in _link_findings(link):
            if name not in fired:
                fired.add(name)
                outcome.add(name, score, evidence)
    return outcome


def _link_findings(link: Link) -> list[tuple[str, float, str]]:
    url = link.url.strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("javascript", "data", "vbscript"):
        return [("script_uri", 20.0, f"{scheme}: link in {link.source}")]
    host = host_of(url)
    if not host:
        return []
    findings: list[tuple[str, float, str]] = []
    if is_ip_literal(host):
        findings.append(("ip_address_url", 20.0, f"link to host {host}"))
    if any(label.startswith("xn--") for label in host.split(".")):
        findings.append(("punycode_domain", 15.0, f"link to {host}"))
    if registered_domain(host) in _SHORTENERS:
        findings.append(("url_shortener", 8.0, f"link to {host}"))
    shown = _domain_in_text(link.text)
    if shown and registered_domain(shown) != registered_domain(host):
        findings.append(("link_text_mismatch", 25.0, f"text shows {shown}, link goes to {host}"))
    return findings


def _domain_in_text(text: str) -> str:
    text = text.strip()
    if " " in text or "." not in text:
        return ""
    host = host_of(text)
    return host if "." in host and not host.endswith(".") else ""

"""Checks on one URL: where it really points and how it hides that.

Each check returns findings as (indicator name, default score, evidence). URLs are
only read, never fetched.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from pipeline.analyzers.brands import brand_in_subdomain, lookalike_brand
from pipeline.analyzers.open_redirects import open_redirect_targets
from pipeline.analyzers.url_lists import (
    FORM_SERVICES,
    FREE_HOSTING,
    RISKY_TLDS,
    SHORTENERS,
)
from pipeline.domains import (
    is_ip_literal,
    is_numeric_host,
    registered_domain,
    site_domain,
    split_domain,
    to_unicode,
)

Finding = tuple[str, float, str]
_EMBEDDED_URL = re.compile(r"(?i)(?:https?|ftp)(?::|%3a)(?:/|%2f){2}")
_STANDARD_PORTS = frozenset({80, 443})
# Site-local ranges where lab and office equipment lives (RFC 1918, loopback, link-local).
_INTERNAL_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
                "::1/128", "fe80::/10", "fc00::/7")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UrlParts:
    """A URL split into the parts the checks read."""

    url: str
    scheme: str
    host: str
    path: str
    query: str
    userinfo: bool
    port: int | None


def split_url(url: str) -> UrlParts | None:
    """Split a URL leniently (missing scheme, backslashes, encoded host); None if hopeless."""
    cleaned = "".join(url.split()).replace("\\", "/")
    if not cleaned:
        return None
    if "//" not in cleaned[:12] and ":" not in cleaned[:11]:
        cleaned = f"http://{cleaned}"
    try:
        parts: SplitResult = urlsplit(cleaned)
        port = parts.port
    except ValueError:
        return None
    host = unquote(parts.hostname or "").lower().rstrip(".")
    return UrlParts(
        url=cleaned,
        scheme=parts.scheme.lower(),
        host=host,
        path=parts.path,
        query=parts.query,
        userinfo="@" in parts.netloc,
        port=port,
    )


def host_of(url: str) -> str:
    """The lower-cased host of a URL, tolerating a missing scheme."""
    parts = split_url(url)
    return parts.host if parts else ""


def embedded_urls(parts: UrlParts) -> list[str]:
    """URLs a redirector forwards to: in its query, or in a well-known open redirect."""
    found: list[str] = []
    for _, value in parse_qsl(parts.query, keep_blank_values=False)[:20]:
        decoded = unquote(value)
        if _EMBEDDED_URL.match(decoded):
            found.append(decoded)
    return found + open_redirect_targets(parts.host, parts.path, parts.query)


def check_url(url: str) -> list[Finding]:
    """Every finding for one URL."""
    return list(_url_findings(url))


@functools.lru_cache(maxsize=4096)  # newsletters repeat one tracking host in every link
def _url_findings(url: str) -> tuple[Finding, ...]:
    scheme = url.strip().split(":", 1)[0].lower()
    if scheme in ("javascript", "vbscript"):
        return (("url_script_uri", 20.0, f"{scheme}: URI"),)
    if scheme == "data":
        return (("url_data_uri", 20.0, url.strip()[:60]),)
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https", "ftp"):
        return ()
    if "." not in parts.host and not is_numeric_host(parts.host):
        return ()
    return (*_host_findings(parts), *_shape_findings(parts))


def _host_findings(parts: UrlParts) -> list[Finding]:
    host = parts.host
    if is_ip_literal(host):
        if is_numeric_host(host):
            return [("url_numeric_host", 20.0, f"link to host {host}")]
        return [] if _internal_ip(host) else [("url_ip_host", 20.0, f"link to host {host}")]
    findings: list[Finding] = []
    unicode_host = to_unicode(host)
    if any(label.startswith("xn--") for label in host.split(".")):
        findings.append(("url_punycode", 10.0, f"{host} ({unicode_host})"))
    if mixed_scripts(unicode_host):
        findings.append(("url_mixed_script", 25.0, f"{unicode_host} mixes scripts"))
    brand = lookalike_brand(host)
    if brand:
        findings.append(("url_lookalike_domain", 30.0, f"{host} imitates {brand}"))
    nested = brand_in_subdomain(host)
    if nested:
        findings.append(("url_brand_subdomain", 25.0, f"{host} borrows {nested}'s domain"))
    findings.extend(_service_findings(parts))
    return findings


def _service_findings(parts: UrlParts) -> list[Finding]:
    host = parts.host
    registered = registered_domain(host)
    findings: list[Finding] = []
    if registered in SHORTENERS or host in SHORTENERS:
        findings.append(("url_shortener", 8.0, f"link to {host}"))
    _, _, suffix, private = split_domain(host)
    tld = suffix.rsplit(".", 1)[-1] if suffix else ""
    if tld in RISKY_TLDS:
        findings.append(("url_risky_tld", 8.0, f"link to {host} (.{tld})"))
    if (private and _private_suffix(host) in FREE_HOSTING) or registered in FREE_HOSTING:
        findings.append(("url_free_hosting", 12.0, f"link to {site_domain(host)}"))
    hosted_path = f"{host}{parts.path}"
    if any(hosted_path.startswith(service) for service in FORM_SERVICES) or registered in (
        FORM_SERVICES
    ):
        findings.append(("url_form_service", 15.0, f"link to form service {host}"))
    return findings


def _private_suffix(host: str) -> str:
    _, _, suffix, _ = split_domain(host)
    return suffix


def _shape_findings(parts: UrlParts) -> list[Finding]:
    findings: list[Finding] = []
    if parts.userinfo:
        findings.append(("url_userinfo", 20.0, f"user-info before host {parts.host}"))
    if parts.port is not None and parts.port not in _STANDARD_PORTS:
        findings.append(("url_nonstandard_port", 8.0, f"{parts.host}:{parts.port}"))
    if "%" in parts.url.split("//", 1)[-1].split("/", 1)[0]:
        findings.append(("url_encoded_host", 15.0, f"percent-encoded host {parts.host}"))
    for target in embedded_urls(parts)[:1]:
        target_host = host_of(target)
        if target_host and registered_domain(target_host) != registered_domain(parts.host):
            findings.append(("url_redirector", 10.0, f"{parts.host} forwards to {target_host}"))
    return findings


def _internal_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in _INTERNAL_NETWORKS)


def mixed_scripts(host: str) -> bool:
    """True when one label mixes Latin letters with Cyrillic or Greek ones."""
    if host.isascii():
        return False
    for label in host.split("."):
        scripts = {_script(char) for char in label if char.isalpha()}
        scripts.discard("OTHER")
        if len(scripts) > 1:
            return True
    return False


def _script(char: str) -> str:
    if char.isascii():
        return "LATIN"
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN"):
        if name.startswith(script):
            return script
    return "OTHER"

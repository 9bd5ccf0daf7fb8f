"""Domain names: normalisation, the registered domain and numeric hosts.

The registered (organisational) domain comes from the Public Suffix List snapshot
that ``tldextract`` ships; it is read offline and never refreshed over the network.
"""

from __future__ import annotations

import functools
import ipaddress
import re

import tldextract

_HEX_OR_OCTAL_PART = re.compile(r"^(0x[0-9a-f]+|0[0-7]+|\d+)$")


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and no cache dir: the bundled snapshot, no network, no disk.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def normalise(domain: str) -> str:
    """Lower-case, strip dots and brackets, and decode nothing (punycode stays visible)."""
    return domain.strip().strip(".").strip("[]<>").lower()


@functools.lru_cache(maxsize=65536)
def split_domain(domain: str) -> tuple[str, str, str, bool]:
    """(subdomain, label, suffix, suffix_is_private) of a host by the Public Suffix List."""
    host = normalise(domain)
    if not host or is_ip_literal(host):
        return "", host, "", False
    parts = _extractor()(host)
    return parts.subdomain, parts.domain, parts.suffix, bool(parts.is_private)


@functools.lru_cache(maxsize=65536)
def registered_domain(domain: str) -> str:
    """The organisational domain by ICANN suffixes: ``mail.example.co.uk`` → ``example.co.uk``.

    Private suffixes (``blogspot.com``, ``web.app``) count as ordinary domains here,
    so every free-hosting tenant shares one registered domain; see :func:`site_domain`.
    """
    host = normalise(domain)
    if not host or is_ip_literal(host):
        return host
    parts = _extractor().extract_str(host, include_psl_private_domains=False)
    if not parts.suffix:
        labels = host.split(".")
        return ".".join(labels[-2:])
    return f"{parts.domain}.{parts.suffix}" if parts.domain else parts.suffix


def site_domain(domain: str) -> str:
    """The domain one tenant controls, counting private suffixes (``x.web.app``)."""
    _, label, suffix, _ = split_domain(domain)
    return f"{label}.{suffix}" if label and suffix else normalise(domain)


def public_suffix(domain: str) -> str:
    """The public suffix (``co.uk``, ``com``, ``web.app``), or '' if none is listed."""
    return split_domain(domain)[2]


def is_ip_literal(host: str) -> bool:
    """True for dotted IPv4, bracketed IPv6, and decimal, octal or hex integer hosts."""
    host = host.strip("[]").lower()
    if not host:
        return False
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    parts = host.split(".")
    if len(parts) > 4 or not all(_HEX_OR_OCTAL_PART.match(part) for part in parts):
        return False
    return len(parts) == 4 or is_numeric_host(host)


def is_numeric_host(host: str) -> bool:
    """True for hosts that browsers read as an IPv4 address in decimal, hex or octal."""
    parts = host.strip("[]").lower().split(".")
    if not parts or not all(_HEX_OR_OCTAL_PART.match(part) for part in parts):
        return False
    if len(parts) == 4 and all(part.isdigit() and not part.startswith("0") for part in parts):
        return False
    if len(parts) == 1 and parts[0].isdigit() and not parts[0].startswith("0"):
        return len(parts[0]) >= 8
    return any(part.startswith("0") and len(part) > 1 for part in parts)


def to_unicode(host: str) -> str:
    """The host with punycode labels decoded, for display and script checks."""
    return ".".join(_decode_label(label) for label in normalise(host).split("."))


def _decode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text block, for readable domain lists."""
    return frozenset(text.split())

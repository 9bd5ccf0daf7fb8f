"""DKIM signature verification with dkimpy through an injected TXT lookup."""

from __future__ import annotations

import logging

import dkim

from pipeline.domains import registered_domain
from pipeline.errors import PhishXError
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage
from pipeline.services.dns_txt import TxtLookup

log = logging.getLogger(__name__)

MAX_SIGNATURES = 3
_RAW_LIMIT = 10 * 1024 * 1024


def verify_dkim(
    message: ParsedMessage, lookup: TxtLookup, from_domain: str, outcome: StageOutcome
) -> None:
    """Verify up to three DKIM signatures; a failed lookup degrades the stage.

    Note:
        Messages over 10 MiB are not verified (cost), and a signature whose key
        cannot be fetched yields no indicator, only a degraded stage.
    """
    if not message.raw or len(message.raw) > _RAW_LIMIT:
        return
    raw = message.raw if b"\r\n" in message.raw[:4096] else message.raw.replace(b"\n", b"\r\n")
    verifier = dkim.DKIM(raw, minkey=1024, timeout=5)
    count = min(len(message.header_all("DKIM-Signature")), MAX_SIGNATURES)
    for index in range(count):
        _verify_one(verifier, index, lookup, from_domain, outcome)


def _verify_one(
    verifier: dkim.DKIM, index: int, lookup: TxtLookup, from_domain: str, outcome: StageOutcome
) -> None:
    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        return lookup(text.rstrip(".")) or b""

    try:
        valid = bool(verifier.verify(idx=index, dnsfunc=dnsfunc))
    except PhishXError as error:
        outcome.degrade(f"dkim key lookup failed: {type(error).__name__}")
        return
    except dkim.ValidationError as error:
        outcome.add("dkim_signature_invalid", 20.0, f"signature {index}: {error}")
        return
    except (dkim.DKIMException, ValueError, TypeError, IndexError) as error:
        outcome.add("dkim_unverifiable", 3.0, f"signature {index}: {error}")
        return
    signer = (verifier.domain or b"").decode("ascii", "replace").lower()
    aligned = bool(from_domain) and registered_domain(signer) == from_domain
    if valid and aligned:
        outcome.add("dkim_verified_aligned", -10.0, f"d={signer}")
    elif valid:
        outcome.add("dkim_verified", -2.0, f"d={signer}")
    else:
        outcome.add("dkim_signature_invalid", 20.0, f"d={signer}: signature does not verify")

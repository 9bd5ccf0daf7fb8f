"""DKIM verification through an injected key lookup: valid, forged, and unreachable keys."""

from __future__ import annotations

import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pipeline.analyzers import auth
from pipeline.analyzers.base import AnalysisContext
from pipeline.errors import ServiceTimeoutError
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run

SELECTOR = b"s2026"
DOMAIN = b"sender.example"


def _keys() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


PRIVATE, RECORD = _keys()


def _signed(body: str = "Your statement is ready.") -> bytes:
    raw = email_bytes(sender="Billing <billing@sender.example>", body=body)
    signature: bytes = dkim.sign(
        raw, SELECTOR, DOMAIN, PRIVATE, include_headers=[b"from", b"subject"]
    )
    return signature + raw


def _lookup(name: str) -> bytes | None:
    return RECORD if name == "s2026._domainkey.sender.example" else None


def test_valid_aligned_signature_verifies() -> None:
    """A signature made with the published key verifies and is aligned with From."""
    context = AnalysisContext(dkim_dns=_lookup, use_builtin_text_model=False)

    outcome = run(auth.analyze, _signed(), context)

    assert "dkim_verified_aligned" in names(outcome)
    assert not outcome.degraded


def test_forged_body_fails_verification() -> None:
    """Changing the body after signing makes the signature invalid."""
    raw = _signed().replace(b"Your statement is ready.", b"Pay to the new account now.")
    context = AnalysisContext(dkim_dns=_lookup, use_builtin_text_model=False)

    outcome = run(auth.analyze, raw, context)

    assert "dkim_signature_invalid" in names(outcome)


def test_key_lookup_failure_degrades_the_stage() -> None:
    """A DNS timeout leaves no verdict and marks the stage degraded."""

    def timing_out(name: str) -> bytes | None:
        raise ServiceTimeoutError(name)

    context = AnalysisContext(dkim_dns=timing_out, use_builtin_text_model=False)

    outcome = run(auth.analyze, _signed(), context)

    assert outcome.degraded
    assert not {"dkim_verified_aligned", "dkim_signature_invalid"} & names(outcome)


def test_no_lookup_configured_means_no_verification() -> None:
    """Without a resolver nothing is looked up and no DKIM indicator appears."""
    outcome = run(auth.analyze, _signed())

    assert not any(name.startswith("dkim_") for name in names(outcome))

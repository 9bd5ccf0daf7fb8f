"""Authentication-Results: failures raise risk, aligned passes lower it, absence says nothing."""

from __future__ import annotations

from pipeline.analyzers import auth
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


def _with_results(value: str, sender: str = "Bank <service@bank.example>") -> bytes:
    return email_bytes(sender=sender, extra_headers=f"Authentication-Results: {value}\r\n")


def test_dmarc_failure_is_reported() -> None:
    """dmarc=fail at the receiving boundary becomes auth_dmarc_fail."""
    raw = _with_results(
        "mx.example.net; spf=pass smtp.mailfrom=x.test; dmarc=fail header.from=bank.example"
    )

    outcome = run(auth.analyze, raw)

    assert "auth_dmarc_fail" in names(outcome)


def test_aligned_dkim_pass_is_a_trust_signal() -> None:
    """dkim=pass for the From domain gives a negative indicator."""
    raw = _with_results(
        "mx.example.net; dkim=pass header.d=bank.example; dmarc=pass header.from=bank.example"
    )

    outcome = run(auth.analyze, raw)

    scores = {item.name: item.score for item in outcome.indicators}
    assert scores["auth_dkim_pass_aligned"] < 0
    assert scores["auth_dmarc_pass"] < 0


def test_header_without_authserv_id_is_still_read() -> None:
    """Microsoft-style results without an authserv-id are parsed leniently."""
    raw = _with_results(
        "spf=softfail (sender IP is 192.0.2.1) smtp.mailfrom=evil.test; dkim=none (message "
        "not signed) header.d=none;dmarc=fail action=none header.from=bank.example;"
        "compauth=fail reason=001"
    )

    outcome = run(auth.analyze, raw)

    assert {"auth_spf_softfail", "auth_dmarc_fail", "auth_compauth_fail"} <= names(outcome)


def test_missing_authentication_headers_produce_nothing() -> None:
    """Old or internal mail without results is not penalised."""
    outcome = run(auth.analyze, email_bytes())

    assert outcome.indicators == []


def test_only_the_topmost_header_counts() -> None:
    """A failure claimed in a lower (sender-controlled) header is ignored."""
    headers = (
        "Authentication-Results: mx.example.net; dmarc=pass header.from=bank.example\r\n"
        "Authentication-Results: relay.evil.test; dmarc=fail header.from=bank.example\r\n"
    )
    raw = email_bytes(sender="b <a@bank.example>", extra_headers=headers)

    outcome = run(auth.analyze, raw)

    assert "auth_dmarc_fail" not in names(outcome)

"""The recipient's own address in the Subject."""

from __future__ import annotations

from pipeline.analyzers import recipient
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


def test_subject_addressing_the_recipient_by_mailbox_is_flagged() -> None:
    """'bob@example.org, your mailbox is full' names the reader by address."""
    raw = email_bytes(subject="Bob@Example.org, your mailbox is full")

    outcome = run(recipient.analyze, raw)

    assert "subject_recipient_address" in names(outcome)
    assert "bob@example.org" not in outcome.indicators[0].evidence.lower()


def test_an_encoded_subject_is_read_decoded() -> None:
    """The address inside an RFC 2047 encoded word is still found."""
    raw = email_bytes(subject="=?utf-8?q?Zahlung_f=C3=BCr_bob=40example=2Eorg?=")

    assert "subject_recipient_address" in names(run(recipient.analyze, raw))


def test_another_address_in_the_subject_is_not_the_recipient() -> None:
    """A subject quoting some other mailbox says nothing about the reader."""
    raw = email_bytes(subject="Please add carol@example.org to the rota")

    assert "subject_recipient_address" not in names(run(recipient.analyze, raw))


def test_a_list_discussing_its_own_address_is_not_flagged() -> None:
    """'Re: list@…' on a list whose List-Post names that address is list traffic."""
    raw = email_bytes(
        subject="Re: bob@example.org bounces",
        extra_headers="List-Post: <mailto:bob@example.org>\r\n",
    )

    assert "subject_recipient_address" not in names(run(recipient.analyze, raw))

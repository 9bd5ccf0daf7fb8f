"""Sender identity: Reply-To, display names, lookalike domains and list rewrites."""

from __future__ import annotations

from pipeline.analyzers import identity
from pipeline.message import parse_message
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


def test_freemail_reply_to_is_reported() -> None:
    """Replies diverted from a company domain to a freemail box are flagged."""
    raw = email_bytes(
        sender="Payroll <payroll@company.example>", extra_headers="Reply-To: hr.desk@gmail.com\r\n"
    )

    assert "reply_to_freemail" in names(run(identity.analyze, raw))


def test_list_rewrite_is_not_a_mismatch() -> None:
    """'Name via List' From with the author in Reply-To is ordinary list traffic."""
    raw = email_bytes(
        sender='"Ann Lee via Radio-users" <radio-users@lists.example.net>',
        extra_headers="Reply-To: ann@university.example\r\n",
    )

    assert not {"reply_to_freemail", "reply_to_domain_mismatch"} & names(run(identity.analyze, raw))


def test_display_name_claiming_a_brand_from_elsewhere() -> None:
    """'PayPal Service' sending from an unrelated domain is flagged."""
    raw = email_bytes(sender="PayPal Service <notice@mailer-secure.example>")

    assert "display_name_brand" in names(run(identity.analyze, raw))


def test_short_brand_joined_to_a_word_by_a_hyphen_is_claimed() -> None:
    """'DHL-Kundenservice' names DHL although a short brand must stand as a whole word."""
    joined = email_bytes(sender="DHL-Kundenservice <info@parcel-notice.example>")
    inside = email_bytes(sender="Adhlam Rahman <adhlam@parcel-notice.example>")

    assert "display_name_brand" in names(run(identity.analyze, joined))
    assert "display_name_brand" not in names(run(identity.analyze, inside))


def test_brand_sending_from_its_own_domain_is_fine() -> None:
    """The brand's real domain does not trigger the brand claim."""
    raw = email_bytes(sender="PayPal <service@paypal.com>")

    assert "display_name_brand" not in names(run(identity.analyze, raw))


def test_display_name_showing_another_address() -> None:
    """A display name that shows a different domain's address is flagged."""
    raw = email_bytes(sender='"support@bank.example" <x@other.example>')

    assert "display_name_foreign_address" in names(run(identity.analyze, raw))


def test_lookalike_sender_domain() -> None:
    """A one-letter edit of a brand's domain is a lookalike."""
    raw = email_bytes(sender="Support <help@paypa1.com>")

    assert "sender_lookalike_domain" in names(run(identity.analyze, raw))


def test_brand_one_edit_from_an_ordinary_name_is_no_lookalike() -> None:
    """Yahoo is claimed by name, but wahoo.com is its own company, not a lookalike."""
    claimed = email_bytes(sender="Yahoo Mail <alerts@mailer-secure.example>")
    neighbour = email_bytes(sender="Wahoo Fitness <news@wahoo.com>")

    assert "display_name_brand" in names(run(identity.analyze, claimed))
    assert "sender_lookalike_domain" not in names(run(identity.analyze, neighbour))


def test_missing_from_is_reported() -> None:
    """A message without a usable From address is flagged."""
    raw = b"To: a@example.org\r\nSubject: hi\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nhi\r\n"

    assert "from_missing" in names(run(identity.analyze, raw))


def test_an_unquoted_comma_in_the_name_is_malformed_and_the_bracketed_address_is_checked() -> None:
    """``Name, <addr>`` is not one mailbox: flagged, and the address mail clients show is used."""
    raw = email_bytes(sender='"delivery@fedex.example", <info@reply.shop-canda.example>')

    message = parse_message(raw)
    found = names(run(identity.analyze, raw))

    assert message.from_ is not None
    assert message.from_.address == "info@reply.shop-canda.example"
    assert message.from_.display_name == "delivery@fedex.example"
    assert "from_malformed" in found
    assert "display_name_foreign_address" in found


def test_a_well_formed_sender_is_not_malformed() -> None:
    """A quoted display name with a comma is one mailbox."""
    raw = email_bytes(sender='"Doe, Jane" <jane@example.com>')

    assert "from_malformed" not in names(run(identity.analyze, raw))

"""Sender claims: role names on free mail, and shared-platform tenant addresses."""

from __future__ import annotations

from pipeline.analyzers import sender_claims
from pipeline.analyzers.sender_claims import shared_tenant
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


def test_role_name_on_free_mail_is_reported() -> None:
    """'Billing Department' writing from a gmail.com address is claiming an organisation."""
    raw = email_bytes(sender='"Billing Department" <billing.dept.2291@gmail.com>')

    assert "display_name_role_freemail" in names(run(sender_claims.analyze, raw))


def test_person_on_free_mail_is_fine() -> None:
    """A person's name on a free-mail address is ordinary."""
    raw = email_bytes(sender='"Ann Lee" <ann.lee@gmail.com>')

    assert "display_name_role_freemail" not in names(run(sender_claims.analyze, raw))


def test_role_name_on_own_domain_is_fine() -> None:
    """An organisation's support desk on its own domain claims nothing false."""
    raw = email_bytes(sender='"Customer Support" <support@shop.example>')

    assert "display_name_role_freemail" not in names(run(sender_claims.analyze, raw))


def test_default_tenant_sender_is_reported() -> None:
    """Mail from a default onmicrosoft.com tenant address is flagged."""
    raw = email_bytes(sender='"IT Desk" <info@kr14rs.onmicrosoft.com>')

    assert "sender_shared_tenant" in names(run(sender_claims.analyze, raw))


def test_platform_itself_is_not_a_tenant() -> None:
    """The platform's own domain and unrelated suffix matches are not tenants."""
    assert shared_tenant("zendesk.com") == ""
    assert shared_tenant("mail.salesforce.com") == ""
    assert shared_tenant("acme.zendesk.com") == "zendesk.com"

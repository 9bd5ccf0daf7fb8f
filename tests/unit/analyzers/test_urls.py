"""URL analysis: hosts, disguises, services and HTML lures."""

from __future__ import annotations

import pytest

from pipeline.analyzers import urls
from pipeline.analyzers.base import AnalysisContext
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import html_email, names, run


@pytest.mark.parametrize(
    ("url", "indicator"),
    [
        ("http://203.0.113.7/login", "url_ip_host"),
        ("http://3405803783/login", "url_numeric_host"),
        ("http://0xcb007107/login", "url_numeric_host"),
        ("https://xn--pypal-4ve.com/signin", "url_punycode"),
        ("https://paypa1.com/signin", "url_lookalike_domain"),
        ("https://www.paypal.com.account-check.example/", "url_brand_subdomain"),
        ("https://bit.ly/3abcd", "url_shortener"),
        ("https://login-portal.web.app/", "url_free_hosting"),
        ("https://forms.gle/abcdef", "url_form_service"),
        ("https://cheap-deals.top/offer", "url_risky_tld"),
        ("https://www.example.com@198.51.100.4/x", "url_userinfo"),
        ("https://t.example.net/r?u=https%3A%2F%2Fevil.example%2Fx", "url_redirector"),
    ],
)
def test_risky_url_shapes(url: str, indicator: str) -> None:
    """Each disguise of a link's destination has its own indicator."""
    raw = email_bytes(body=f"Please open {url} today.")

    assert indicator in names(run(urls.analyze, raw))


def test_mixed_script_host() -> None:
    """A host mixing Cyrillic and Latin letters is a homograph."""
    raw = html_email('<a href="https://p\u0430ypal.com/x">login</a>')

    assert "url_mixed_script" in names(run(urls.analyze, raw))


def test_link_text_naming_another_domain() -> None:
    """Anchor text showing one domain over an href to another is flagged."""
    raw = html_email('<a href="https://collector.example/x">www.mybank.com</a>')

    assert "link_text_mismatch" in names(run(urls.analyze, raw))


def test_script_and_data_uris() -> None:
    """javascript: and data: links are flagged."""
    raw = html_email(
        '<a href="javascript:alert(1)">a</a><a href="data:text/html;base64,PGg+">b</a>'
    )

    assert {"url_script_uri", "url_data_uri"} <= names(run(urls.analyze, raw))


def test_credential_form_and_button_redirect() -> None:
    """A password form and an onclick redirect in the body are both seen."""
    raw = html_email(
        '<form action="https://grab.example/p"><input type="password" name="pw"></form>'
        "<button onclick=\"window.location='http://198.51.100.9/x'\">Open</button>"
    )

    found = names(run(urls.analyze, raw))

    assert {"html_password_form", "url_ip_host"} <= found


def test_ordinary_links_are_quiet() -> None:
    """Plain links to a normal domain with matching text produce nothing."""
    raw = html_email('<p>Docs at <a href="https://docs.example.com/guide">docs.example.com</a></p>')

    assert run(urls.analyze, raw).indicators == []


def test_private_addresses_in_technical_mail_are_ignored() -> None:
    """Links to 192.168.x.x (lab equipment) are not treated as IP-host lures."""
    raw = email_bytes(body="Open http://192.168.10.2/status on the device.")

    assert "url_ip_host" not in names(run(urls.analyze, raw))


def test_blocklisted_host() -> None:
    """A host on the local blocklist is reported."""
    context = AnalysisContext(
        url_blocklist=frozenset({"bad.example"}), use_builtin_text_model=False
    )
    raw = email_bytes(body="See https://www.bad.example/x")

    assert "url_blocklisted" in names(run(urls.analyze, raw, context))


@pytest.mark.parametrize(
    "url",
    [
        "https://www.google.co.uk/amp/s/lure.example/login",
        "https://www.bing.com/ck/a?!&&p=1f&u=a1aHR0cHM6Ly9sdXJlLmV4YW1wbGUvbG9naW4&ntb=1",
        "https://translate.google.com/translate?sl=auto&tl=en&u=lure.example/login.php",
        "https://lure-example.translate.goog/login",
    ],
)
def test_open_redirects_on_trusted_sites_are_decoded(url: str) -> None:
    """Google AMP, Bing click and Translate proxy links reveal where they forward."""
    raw = email_bytes(body=f"Open {url} now.")

    outcome = run(urls.analyze, raw)

    assert any(
        item.name == "url_redirector" and "lure.example" in item.evidence
        for item in outcome.indicators
    )


def test_search_link_is_not_a_redirect() -> None:
    """An ordinary search result link forwards nowhere."""
    raw = email_bytes(body="See https://www.google.com/search?q=usrp+b210 for more.")

    assert "url_redirector" not in names(run(urls.analyze, raw))


def test_few_words_around_a_foreign_link_is_a_sparse_lure() -> None:
    """A button and one line of text pointing off the sender's domain is a sparse lure."""
    raw = html_email('<p>Your document is ready.</p><a href="https://files.example.net/d">Open</a>')

    assert "html_sparse_lure" in names(run(urls.analyze, raw))


def test_short_note_linking_to_own_domain_is_not_sparse_lure() -> None:
    """A short signature-style note linking to the sender's own site is ordinary."""
    raw = html_email('<p>Thanks, see you then.</p><a href="https://www.example.com/">Alice</a>')

    assert "html_sparse_lure" not in names(run(urls.analyze, raw))


def test_html_with_real_text_is_not_sparse_lure() -> None:
    """A body with sentences around its link is not sparse."""
    words = " ".join(["word"] * 40)
    raw = html_email(f'<p>{words}</p><a href="https://files.example.net/d">Open</a>')

    assert "html_sparse_lure" not in names(run(urls.analyze, raw))


def test_dictionary_word_brand_has_no_lookalikes() -> None:
    """'telecom' is one edit from 'telekom' but is an ordinary word, not an imitation."""
    raw = email_bytes(body="Visit https://telecom.example.de/offers today.")

    assert "url_lookalike_domain" not in names(run(urls.analyze, raw))

"""Lures in an HTML body: credential forms, refreshes, scripts, hidden text, bare links.

Note:
    A sparse body is judged on the HTML alone; a short legitimate notification that
    links away from its sender's domain looks the same, so the scorer caps its weight.
"""

from __future__ import annotations

from pipeline.analyzers.url_checks import host_of
from pipeline.domains import registered_domain
from pipeline.html_text import HtmlDocument
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

HIDDEN_TEXT_CHARS = 300
OBFUSCATION_CALLS = 2
SPARSE_WORDS = 30
_WEB = ("http://", "https://")
# Documents a short covering note may legitimately point to ("see the attached").
_DOCUMENT_TYPES = frozenset(
    {"application/pdf", "application/zip", "application/x-ole-storage", "application/rtf"}
)


def check_html(message: ParsedMessage, outcome: StageOutcome) -> None:
    """Indicators from the parsed HTML body, if any."""
    document = message.html
    if document is None:
        return
    # Only a form that asks for a password counts: newsletters carry search boxes,
    # polls and subscription forms as often as lures carry plain forms.
    if document.password_inputs:
        actions = [link.url for link in message.links if link.source == "form"]
        target = host_of(actions[0]) if actions else "(no action)"
        evidence = f"{document.password_inputs} password field(s), posting to {target}"
        outcome.add("html_password_form", 40.0, evidence)
    if document.meta_refresh:
        outcome.add("html_meta_refresh", 15.0, f"refresh to {host_of(document.meta_refresh[0])}")
    if document.scripts:
        outcome.add("html_script", 10.0, f"{document.scripts} script element(s)")
    if document.script_obfuscation >= OBFUSCATION_CALLS:
        outcome.add("html_script_obfuscation", 15.0, f"{document.script_obfuscation} decode calls")
    if document.hidden_text_chars >= HIDDEN_TEXT_CHARS:
        outcome.add("html_hidden_text", 10.0, f"{document.hidden_text_chars} hidden characters")
    _check_sparse(message, document, outcome)


def _check_sparse(message: ParsedMessage, document: HtmlDocument, outcome: StageOutcome) -> None:
    """A few words around a link to another site: the shape of a click-through lure.

    Real notifications carry a footer (address, legal text, unsubscribe) and
    conversations carry sentences; an image or one button with a line of text does
    not give a keyword filter anything to read.
    """
    words = len(document.text.split())
    if words >= SPARSE_WORDS or any(a.sniffed_type in _DOCUMENT_TYPES for a in message.attachments):
        return
    sender = registered_domain(message.from_.domain) if message.from_ else ""
    away = [
        link.url
        for link in message.links
        if link.source in ("a", "area")
        and link.url.strip().lower().startswith(_WEB)
        and registered_domain(host_of(link.url)) != sender
    ]
    if away:
        outcome.add(
            "html_sparse_lure", 10.0, f"{words} visible words around a link to {host_of(away[0])}"
        )

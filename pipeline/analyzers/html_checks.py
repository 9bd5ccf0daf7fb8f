"""Lures in an HTML body: credential forms, refreshes, scripts and hidden text."""

from __future__ import annotations

from pipeline.analyzers.url_checks import host_of
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

HIDDEN_TEXT_CHARS = 300
OBFUSCATION_CALLS = 2


def check_html(message: ParsedMessage, outcome: StageOutcome) -> None:
    """Indicators from the parsed HTML body, if any."""
    document = message.html
    if document is None:
        return
    if document.password_inputs:
        outcome.add("html_password_form", 40.0, f"{document.password_inputs} password field(s)")
    elif document.forms:
        actions = [link.url for link in message.links if link.source == "form"]
        target = host_of(actions[0]) if actions else "(no action)"
        outcome.add("html_form", 15.0, f"{document.forms} form(s), posting to {target}")
    if document.meta_refresh:
        outcome.add("html_meta_refresh", 15.0, f"refresh to {host_of(document.meta_refresh[0])}")
    if document.scripts:
        outcome.add("html_script", 10.0, f"{document.scripts} script element(s)")
    if document.script_obfuscation >= OBFUSCATION_CALLS:
        outcome.add("html_script_obfuscation", 15.0, f"{document.script_obfuscation} decode calls")
    if document.hidden_text_chars >= HIDDEN_TEXT_CHARS:
        outcome.add("html_hidden_text", 10.0, f"{document.hidden_text_chars} hidden characters")

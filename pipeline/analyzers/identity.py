"""Sender identity: From against Reply-To, Return-Path and Sender; display-name claims.

Note:
    Mailing lists rewrite From to the list address ("Name via List") and put the
    author in Reply-To; that pattern is recognised and not reported as a mismatch.
"""

from __future__ import annotations

import re

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.brands import (
    brand_in_subdomain,
    brand_in_text,
    is_brand_domain,
    lookalike_brand,
)
from pipeline.domains import registered_domain, word_set
from pipeline.indicators import StageOutcome
from pipeline.message import Address, ParsedMessage

FREEMAIL = word_set(
    """
    gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com
    aol.com gmx.com gmx.de gmx.net web.de mail.ru yandex.ru yandex.com proton.me
    protonmail.com icloud.com me.com zoho.com qq.com 163.com 126.com uol.com.br bol.com.br
    terra.com.br hotmail.co.uk yahoo.co.uk outlook.de hotmail.de t-online.de mail.com
    inbox.ru list.ru
    """
)
_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_LIST_REWRITE = re.compile(r"\bvia\b", re.IGNORECASE)
_VALID_ADDRESS = re.compile(r"^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Compare the sender's identities and the claims of its display name."""
    outcome = StageOutcome()
    sender = message.from_
    if sender is None or not sender.address:
        outcome.add("from_missing", 10.0, "no usable From address")
        return outcome
    if message.from_unparsed or not _VALID_ADDRESS.match(sender.address):
        outcome.add("from_malformed", 10.0, f"From header {message.header('From')!r}")
    domain = registered_domain(sender.domain)
    _check_reply_to(message, sender, domain, outcome)
    _check_envelope(message, domain, outcome)
    _check_display_name(sender, domain, outcome)
    _check_lookalike(sender, outcome)
    return outcome


def _check_reply_to(
    message: ParsedMessage, sender: Address, domain: str, outcome: StageOutcome
) -> None:
    if _LIST_REWRITE.search(sender.display_name):
        return
    for reply in message.reply_to[:5]:
        reply_domain = registered_domain(reply.domain)
        if not domain or not reply_domain or reply_domain == domain:
            continue
        evidence = f"From domain {domain}, Reply-To domain {reply_domain}"
        if reply_domain in FREEMAIL:
            outcome.add("reply_to_freemail", 15.0, evidence)
        else:
            outcome.add("reply_to_domain_mismatch", 10.0, evidence)
        return


def _check_envelope(message: ParsedMessage, domain: str, outcome: StageOutcome) -> None:
    _, _, bounce_domain = message.return_path.rpartition("@")
    bounce = registered_domain(bounce_domain)
    if domain and bounce and bounce != domain:
        outcome.add("return_path_mismatch", 3.0, f"From domain {domain}, Return-Path {bounce}")
    if message.sender is not None and message.sender.domain:
        sender_domain = registered_domain(message.sender.domain)
        if domain and sender_domain != domain:
            outcome.add("sender_mismatch", 3.0, f"From domain {domain}, Sender {sender_domain}")


def _check_display_name(sender: Address, domain: str, outcome: StageOutcome) -> None:
    name = sender.display_name
    shown = _ADDRESS_IN_NAME.search(name)
    if shown and domain and registered_domain(shown.group(1)) != domain:
        outcome.add(
            "display_name_foreign_address",
            20.0,
            f"display name shows {shown.group(0)} but the address is at {domain}",
        )
    brand = brand_in_text(name)
    if brand and not is_brand_domain(brand, sender.domain):
        kind = "display_name_brand_freemail" if domain in FREEMAIL else "display_name_brand"
        outcome.add(kind, 20.0, f"display name {name[:60]!r} claims {brand}, sent from {domain}")


def _check_lookalike(sender: Address, outcome: StageOutcome) -> None:
    brand = lookalike_brand(sender.domain)
    if brand:
        outcome.add("sender_lookalike_domain", 30.0, f"{sender.domain} imitates {brand}")
    nested = brand_in_subdomain(sender.domain)
    if nested:
        outcome.add("sender_brand_subdomain", 25.0, f"{sender.domain} borrows {nested}'s name")

"""Offer cues: the junk offers scam mail pushes, each reported with its words."""

from __future__ import annotations

import pytest

from pipeline.analyzers import text
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run

OFFER_CUES = {
    "text_gambling",
    "text_health_product",
    "text_adult_contact",
    "text_loan_offer",
    "text_quick_riches",
}


@pytest.mark.parametrize(
    ("subject", "body", "cue"),
    [
        ("Your bonus", "Claim 200 free spins at our casino today.", "text_gambling"),
        ("Summer body", "This keto trick helps you lose weight in a week.", "text_health_product"),
        ("Tonight?", "Lonely women near you want to chat.", "text_adult_contact"),
        ("Good news", "You are pre-approved for a personal loan of $5,000.", "text_loan_offer"),
        ("Be your boss", "Earn $500 per day with our trading bot.", "text_quick_riches"),
        ("Oferta", "Ganhe rodadas grátis no nosso cassino.", "text_gambling"),
        ("Angebot", "Schnell abnehmen ohne Diät.", "text_health_product"),
    ],
)
def test_offer_is_reported_as_its_cue(subject: str, body: str, cue: str) -> None:
    """Each kind of junk offer becomes its own text indicator."""
    raw = email_bytes(subject=subject, body=body)

    outcome = run(text.analyze, raw)

    assert cue in names(outcome)


def test_offer_cue_evidence_quotes_the_matched_words() -> None:
    """The indicator's evidence is the phrase that matched."""
    raw = email_bytes(subject="Bonus", body="Play now with no deposit needed.")

    outcome = run(text.analyze, raw)

    evidence = {item.name: item.evidence for item in outcome.indicators}
    assert evidence["text_gambling"] == "no deposit"


@pytest.mark.parametrize(
    "body",
    [
        "Please hook up the antenna to the second port before the test.",
        "The loan of the scope ends on Friday; return it to the lab.",
        "We spun the board three times and the clock still drifts.",
    ],
)
def test_ordinary_technical_mail_has_no_offer_cue(body: str) -> None:
    """Everyday words near the offer vocabulary stay quiet."""
    raw = email_bytes(subject="Lab notes", body=body)

    outcome = run(text.analyze, raw)

    assert not names(outcome) & OFFER_CUES

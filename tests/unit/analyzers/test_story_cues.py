"""Story cues: the classic scam scripts, each reported with the words that matched."""

from __future__ import annotations

import pytest

from pipeline.analyzers import text
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run

STORY_CUES = {
    "text_mailbox_quota",
    "text_callback",
    "text_sextortion",
    "text_romance",
    "text_fake_balance",
    "text_crypto_giveaway",
    "text_crime_service",
    "text_charity_fee",
}


@pytest.mark.parametrize(
    ("subject", "body", "cue"),
    [
        ("Storage", "You are now using 98% of your mailbox. Upgrade now.", "text_mailbox_quota"),
        ("Aviso", "Sua caixa de correio está cheia.", "text_mailbox_quota"),
        (
            "Order #4471",
            "Your order of $499 ships today. If you did not authorize this purchase, "
            "call our billing desk at +1 800 555 0100.",
            "text_callback",
        ),
        (
            "Your device",
            "I have gained full access to your devices and recorded you.",
            "text_sextortion",
        ),
        (
            "Hello dear",
            "I am a lonely 29 years old woman. I will send you my photo soon.",
            "text_romance",
        ),
        (
            "Balance",
            "Your account already has +$12,400. Withdraw your funds today.",
            "text_fake_balance",
        ),
        (
            "Community",
            "All holders are eligible for the airdrop in our token allocation program.",
            "text_crypto_giveaway",
        ),
        ("Shop", "Fresh cpanels, smtps and rdps for sale.", "text_crime_service"),
        (
            "Please read",
            "I am a sick widow diagnosed with cancer and wish to donate the funds to charity.",
            "text_charity_fee",
        ),
    ],
)
def test_story_is_reported_as_its_cue(subject: str, body: str, cue: str) -> None:
    """Each scam script becomes its own text indicator."""
    raw = email_bytes(subject=subject, body=body)

    outcome = run(text.analyze, raw)

    assert cue in names(outcome)


def test_story_cue_evidence_quotes_the_matched_words() -> None:
    """The indicator's evidence is the phrase that matched."""
    raw = email_bytes(subject="Mail", body="Your mailbox is almost full, act today.")

    outcome = run(text.analyze, raw)

    evidence = {item.name: item.evidence for item in outcome.indicators}
    assert evidence["text_mailbox_quota"] == "mailbox is almost full"


@pytest.mark.parametrize(
    "body",
    [
        "The SD card storage is full after two hours of recording at 20 MS/s.",
        "Call me if the board does not boot; the shell prompt never appears.",
        "The script prints the balance between the two channels; withdraw the probe slowly.",
        "We recorded the spectrum and sent the photos of the setup to the list.",
        "Our business plan for the lab: a proposal for the new antenna array.",
    ],
)
def test_ordinary_technical_mail_has_no_story_cue(body: str) -> None:
    """Everyday words near the scam vocabulary stay quiet."""
    raw = email_bytes(subject="Lab notes", body=body)

    outcome = run(text.analyze, raw)

    assert not names(outcome) & STORY_CUES

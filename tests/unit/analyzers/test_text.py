"""The text stage: cues, the shipped model, and the NLP-service fallback."""

from __future__ import annotations

from pipeline.analyzers import text
from pipeline.analyzers.base import AnalysisContext
from pipeline.errors import ServiceUnavailableError
from pipeline.textmodel.model import get_model, reset_model
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run

LURE = (
    "Your mailbox has been suspended",
    "Dear customer, unusual sign-in activity was detected. Verify your account immediately "
    "or it will be closed within 24 hours. Click here to confirm your password.",
)
HAM = (
    "Re: FPGA build fails on the X310",
    "I rebuilt the image with the latest toolchain and the timing report looks clean now. "
    "Can you share the constraints file you used for the second channel?",
)


class _Fixed:
    def __init__(self, value: float) -> None:
        self.value = value

    def phishing_probability(self, subject: str, body: str) -> float:
        return self.value


class _Down:
    def phishing_probability(self, subject: str, body: str) -> float:
        raise ServiceUnavailableError("nlp down")


def test_shipped_model_ranks_a_lure_above_ham() -> None:
    """The trained artifact loads and scores an obvious lure far above an obvious ham."""
    reset_model()
    model = get_model()

    lure, ham = model.phishing_probability(*LURE), model.phishing_probability(*HAM)

    assert lure > 0.8
    assert ham < 0.2


def test_model_is_loaded_once_per_process() -> None:
    """Repeated calls return the same cached object until reset."""
    assert get_model() is get_model()


def test_cues_are_reported_with_their_words() -> None:
    """A credential request is an indicator; everyday lure words show in the model's evidence."""
    context = AnalysisContext(text_classifier=_Fixed(0.9))
    outcome = run(text.analyze, email_bytes(subject=LURE[0], body=LURE[1]), context)

    assert "text_credential" in names(outcome)
    assert not {"text_urgency", "text_threat", "text_password"} & names(outcome)
    evidence = {item.name: item.evidence for item in outcome.indicators}["text_classifier"]
    assert "lure words: " in evidence
    assert {"suspended", "immediately", "password"} <= set(evidence.split(": ")[-1].split(", "))


def test_remote_classifier_is_used_when_configured() -> None:
    """The NLP service's probability becomes the classifier indicator."""
    context = AnalysisContext(nlp=_Fixed(0.99), use_builtin_text_model=False)

    outcome = run(text.analyze, email_bytes(subject=HAM[0], body=HAM[1]), context)

    scores = {item.name: item.score for item in outcome.indicators}
    assert scores["text_classifier"] > 40
    assert not outcome.degraded


def test_service_failure_falls_back_to_the_local_model() -> None:
    """When the NLP service fails the local model answers and the stage is degraded."""
    context = AnalysisContext(nlp=_Down(), text_classifier=_Fixed(0.01))

    outcome = run(text.analyze, email_bytes(subject=HAM[0], body=HAM[1]), context)

    assert outcome.degraded
    assert {item.name: item.score for item in outcome.indicators}["text_classifier"] < 0


def test_recipient_address_does_not_change_the_text_score() -> None:
    """Replacing the recipient's address in the body leaves the probability unchanged."""
    model = get_model()
    body = "Hello {}, your invoice is attached. Regards, Accounts."

    first = model.phishing_probability("Invoice", body.format("jane@corp.example"))
    second = model.phishing_probability("Invoice", body.format("someone.else@other.example"))

    assert first == second


def test_wallet_recovery_phrase_request_is_a_cue() -> None:
    """Asking for a wallet's recovery phrase is the crypto form of a credential request."""
    raw = email_bytes(subject="Action needed", body="Enter your seed phrase to restore access.")

    assert "text_wallet" in names(run(text.analyze, raw))


def test_advance_fee_story_is_a_cue() -> None:
    """A stranger's fortune offered for a fee is the oldest email fraud."""
    raw = email_bytes(
        subject="ON MY DYING BED",
        body="I wish to transfer the sum of 10.5 million US dollars to you as next of kin.",
    )

    assert "text_advance_fee" in names(run(text.analyze, raw))


def test_funding_news_is_not_an_advance_fee_cue() -> None:
    """A sum in millions without the fraud's framing stays quiet."""
    raw = email_bytes(subject="Company news", body="We raised $2 million in our seed round.")

    assert "text_advance_fee" not in names(run(text.analyze, raw))


def test_ham_evidence_from_the_text_model_is_bounded() -> None:
    """A near-certain ham reading lowers the score by at most 20 points."""
    name, score, _ = text.classifier_indicator(1e-9)

    assert name == "text_classifier"
    assert score == -20.0


def test_lure_evidence_from_the_text_model_keeps_its_range() -> None:
    """A near-certain lure reading still counts its full 60 points."""
    _, score, _ = text.classifier_indicator(1 - 1e-9)

    assert score == 60.0

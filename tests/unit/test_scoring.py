"""Indicators to score to decision, the fitted scorer, and the degraded-stage policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.indicators import Indicator
from pipeline.scoring import Decision, Policy, decide, risk_score
from pipeline.scoring_model import ScoringModel, load_scoring_model
from pipeline.training.fit_scorer import fit_scoring_model

# One logit per 10 raw points, threshold at even odds: score = 50 + sum of raw points.
UNIT = ScoringModel(weights={}, intercept=0.0, threshold=0.0, prior_weight=1.0)
POLICY = Policy(quarantine_threshold=50, reject_threshold=80, degraded_policy={
    "attachments": "closed", "text": "open"
}, model=UNIT)  # fmt: skip


def test_score_is_clamped_to_the_scale() -> None:
    """Contributions add up, but the score stays within 0-100."""
    assert risk_score([Indicator("a", 70), Indicator("b", 60)], UNIT) == 100
    assert risk_score([Indicator("trust", -80)], UNIT) == 0


def test_thresholds_choose_the_decision() -> None:
    """Below, between and above the thresholds map to the three decisions."""
    assert decide([Indicator("a", -10)], [], POLICY).decision is Decision.ALLOW
    assert decide([Indicator("a", 10)], [], POLICY).decision is Decision.QUARANTINE
    assert decide([Indicator("a", 40)], [], POLICY).decision is Decision.REJECT


def test_fitted_weights_scale_each_indicator() -> None:
    """A fitted weight multiplies its indicator; unfitted names keep the prior weight."""
    model = ScoringModel(weights={"weak": 0.5}, intercept=-1.0, threshold=0.0)

    assert model.score([Indicator("weak", 20)]) == 50.0
    assert model.score([Indicator("unseen", 20)]) == 60.0


def test_repeated_names_count_once() -> None:
    """Only the strongest indicator of a name contributes."""
    assert UNIT.score([Indicator("a", 10), Indicator("a", 20)]) == 70.0


def test_contributions_explain_the_score() -> None:
    """Each indicator's points plus the baseline give the unclamped score."""
    model = ScoringModel(weights={"a": 2.0, "b": 0.5}, intercept=-2.0, threshold=1.0)
    indicators = [Indicator("a", 10, "why a"), Indicator("b", 20, "why b")]

    verdict = decide(indicators, [], Policy(model=model))

    points = sum(item.score for item in verdict.contributions)
    assert verdict.score == round(model.baseline() + points, 1)
    assert verdict.explanation()[0].startswith("+20.0 a")


def test_model_round_trips_through_json(tmp_path: Path) -> None:
    """The JSON artifact reproduces the same scores."""
    model = ScoringModel(weights={"a": 1.5}, intercept=-0.5, threshold=0.7, metadata={"n": 1})
    path = tmp_path / "model.json"
    path.write_text(model.to_json(), encoding="utf-8")

    loaded = load_scoring_model(path)

    assert loaded.score([Indicator("a", 12)]) == model.score([Indicator("a", 12)])


def test_shipped_model_flags_a_lure_and_allows_ham() -> None:
    """The shipped scorer separates strong lure evidence from trust evidence."""
    lure = [Indicator("text_classifier", 50.0), Indicator("url_lookalike_domain", 30.0)]
    ham = [Indicator("text_classifier", -50.0)]

    assert risk_score(lure) >= 80
    assert risk_score(ham) < 50


def test_fail_closed_stage_holds_the_message() -> None:
    """A degraded fail-closed stage makes an otherwise clean message QUARANTINE."""
    verdict = decide(
        [Indicator("a", -30)], [{"stage": "attachments", "reason": "clamd down"}], POLICY
    )

    assert verdict.decision is Decision.QUARANTINE
    assert verdict.held_by == ("attachments",)


def test_fail_open_stage_does_not_hold_the_message() -> None:
    """A degraded fail-open stage leaves the decision to the evidence."""
    verdict = decide([Indicator("a", -30)], [{"stage": "text", "reason": "nlp down"}], POLICY)

    assert verdict.decision is Decision.ALLOW
    assert verdict.degraded == ({"stage": "text", "reason": "nlp down"},)


def test_summary_line_names_risky_indicators_and_degraded_stages() -> None:
    """The MTA summary line carries decision, score, indicators and degradation."""
    indicators = [Indicator("ip_address_url", 5), Indicator("dkim_aligned", -5)]
    verdict = decide(indicators, [{"stage": "text", "reason": "x"}], POLICY)

    line = verdict.summary_line(indicators)

    assert line == "QUARANTINE; score=50; indicators=ip_address_url; degraded=text"


def test_fitting_gives_no_weight_to_what_ham_carries_as_often() -> None:
    """A name firing on as large a share of ham as of phishing cannot add points.

    Here it would: among emails without the lure, it fires on all the phishing and
    under half the ham, so a plain fit gives it weight.
    """
    lure = Indicator("url_shortener", 8.0, "link to bit.ly")
    common = Indicator("return_path_mismatch", 10.0, "bounces to esp.example")
    phishing = [[lure]] * 30 + [[common]] * 20
    ham = [[common]] * 22 + [[]] * 28
    labels = np.array([1] * len(phishing) + [0] * len(ham))

    model = fit_scoring_model(phishing + ham, labels)

    assert model.weights["return_path_mismatch"] == 0.0
    assert model.weights["url_shortener"] > 0.5

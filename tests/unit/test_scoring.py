"""Indicators to score to decision, and the degraded-stage policy."""

from __future__ import annotations

from pipeline.indicators import Indicator
from pipeline.scoring import Decision, Policy, decide, risk_score

POLICY = Policy(quarantine_threshold=50, reject_threshold=80, degraded_policy={
    "attachments": "closed", "text": "open"
})  # fmt: skip


def test_score_is_clamped_to_the_scale() -> None:
    """Contributions add up, but the score stays within 0-100."""
    assert risk_score([Indicator("a", 70), Indicator("b", 60)]) == 100
    assert risk_score([Indicator("trust", -30)]) == 0


def test_thresholds_choose_the_decision() -> None:
    """Below, between and above the thresholds map to the three decisions."""
    assert decide([Indicator("a", 10)], [], POLICY).decision is Decision.ALLOW
    assert decide([Indicator("a", 50)], [], POLICY).decision is Decision.QUARANTINE
    assert decide([Indicator("a", 80)], [], POLICY).decision is Decision.REJECT


def test_fail_closed_stage_holds_the_message() -> None:
    """A degraded fail-closed stage makes an otherwise clean message QUARANTINE."""
    verdict = decide([], [{"stage": "attachments", "reason": "clamd down"}], POLICY)

    assert verdict.decision is Decision.QUARANTINE
    assert verdict.held_by == ("attachments",)


def test_fail_open_stage_does_not_hold_the_message() -> None:
    """A degraded fail-open stage leaves the decision to the evidence."""
    verdict = decide([], [{"stage": "text", "reason": "nlp down"}], POLICY)

    assert verdict.decision is Decision.ALLOW
    assert verdict.degraded == ({"stage": "text", "reason": "nlp down"},)


def test_summary_line_names_risky_indicators_and_degraded_stages() -> None:
    """The MTA summary line carries decision, score, indicators and degradation."""
    indicators = [Indicator("ip_address_url", 60), Indicator("dkim_aligned", -5)]
    verdict = decide(indicators, [{"stage": "text", "reason": "x"}], POLICY)

    line = verdict.summary_line(indicators)

    assert line == "QUARANTINE; score=55; indicators=ip_address_url; degraded=text"

"""Indicators to a 0-100 risk score, and the score to a decision under a policy.

The score comes from a fitted linear model over indicators (see
:mod:`pipeline.scoring_model`): each indicator contributes points, a baseline holds
the rest, and 50 points is the fitted decision threshold. Without a fitted model the
indicators' own scores are summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pipeline.indicators import Indicator
from pipeline.scoring_model import ScoringModel, default_model


class Decision(StrEnum):
    """What the mail system should do with the message."""

    ALLOW = "ALLOW"
    QUARANTINE = "QUARANTINE"
    REJECT = "REJECT"


_SEVERITY = {Decision.ALLOW: 0, Decision.QUARANTINE: 1, Decision.REJECT: 2}


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds on the score, and what a degraded stage does to the decision.

    A stage whose policy is ``closed`` makes the decision at least QUARANTINE when
    it ran degraded; ``open`` lets the other stages' evidence decide. ``model`` is
    the fitted scorer; None means the artifact shipped with PhishX.
    """

    quarantine_threshold: float = 50.0
    reject_threshold: float = 80.0
    degraded_policy: Mapping[str, Literal["open", "closed"]] = field(default_factory=dict)
    model: ScoringModel | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision, its score, the stages that ran degraded, and each indicator's points."""

    decision: Decision
    score: float
    degraded: tuple[dict[str, str], ...] = ()
    held_by: tuple[str, ...] = ()
    contributions: tuple[Indicator, ...] = ()

    def summary_line(self, indicators: Iterable[Indicator]) -> str:
        """A one-line header value for MTAs, e.g. for ``X-PhishX-Result``."""
        names = ",".join(item.name for item in indicators if item.score > 0)
        line = f"{self.decision.value}; score={self.score:.0f}"
        if names:
            line += f"; indicators={names}"
        if self.degraded:
            line += "; degraded=" + ",".join(item["stage"] for item in self.degraded)
        return line

    def explanation(self) -> list[str]:
        """One line per indicator with its points, the largest first."""
        ranked = sorted(self.contributions, key=lambda item: -abs(item.score))
        return [f"{item.score:+.1f} {item.name}: {item.evidence}" for item in ranked]


def risk_score(indicators: Iterable[Indicator], model: ScoringModel | None = None) -> float:
    """The 0-100 score of a set of indicators under the fitted (or given) model."""
    scorer = model if model is not None else default_model()
    items = list(indicators)
    if scorer is None:
        return _clamp(sum(item.score for item in items))
    return scorer.score(items)


def contributions(
    indicators: Sequence[Indicator], model: ScoringModel | None = None
) -> tuple[Indicator, ...]:
    """Each indicator with the points it adds to the score (0 for repeats and unknowns)."""
    scorer = model if model is not None else default_model()
    if scorer is None:
        return tuple(indicators)
    return scorer.contributions(indicators)


def decide(
    indicators: Sequence[Indicator],
    degraded: Sequence[dict[str, str]],
    policy: Policy,
) -> Verdict:
    """Score the indicators and apply the thresholds and the degraded-stage policy."""
    score = risk_score(indicators, policy.model)
    decision = Decision.ALLOW
    if score >= policy.reject_threshold:
        decision = Decision.REJECT
    elif score >= policy.quarantine_threshold:
        decision = Decision.QUARANTINE

    held_by = tuple(
        item["stage"] for item in degraded if policy.degraded_policy.get(item["stage"]) == "closed"
    )
    if held_by and _SEVERITY[decision] < _SEVERITY[Decision.QUARANTINE]:
        decision = Decision.QUARANTINE
    return Verdict(
        decision=decision,
        score=score,
        degraded=tuple(degraded),
        held_by=held_by,
        contributions=contributions(indicators, policy.model),
    )


def _clamp(total: float) -> float:
    return round(min(100.0, max(0.0, total)), 1)

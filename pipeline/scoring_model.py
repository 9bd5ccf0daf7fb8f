"""The fitted scorer: one non-negative weight per indicator name, stored as JSON.

An indicator's feature value is its own score divided by 10 (the largest one when a
name repeats). Weights are fitted non-negative, so an indicator can only push the
score the way its analyzer meant: risk indicators (positive scores) up, trust
indicators (negative scores) down. The log-odds ``z`` map to points as
``50 + POINTS_PER_LOGIT * (z - threshold)``, clamped to 0-100.

A weight of 1 means "the analyzer's own points". It is the prior: names too rare in
the training data to fit (executables, macros, antivirus hits) keep it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.indicators import Indicator

POINTS_PER_LOGIT = 10.0
FEATURE_SCALE = 10.0
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "scoring_model.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ScoringModel:
    """Weights per indicator name, the intercept, and the threshold in log-odds."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)
    prior_weight: float = 1.0

    def weight(self, name: str) -> float:
        """The fitted weight of a name, or the prior for names never fitted."""
        return self.weights.get(name, self.prior_weight)

    def features(self, indicators: Sequence[Indicator]) -> dict[str, float]:
        """The strongest value of each indicator name."""
        values: dict[str, float] = {}
        for item in indicators:
            value = item.score / FEATURE_SCALE
            current = values.get(item.name)
            if current is None or abs(value) > abs(current):
                values[item.name] = value
        return values

    def logit(self, indicators: Sequence[Indicator]) -> float:
        """The model's log-odds that the message is phishing."""
        values = self.features(indicators)
        return self.intercept + sum(self.weight(name) * x for name, x in values.items())

    def score(self, indicators: Sequence[Indicator]) -> float:
        """The 0-100 risk score; 50 is the fitted decision threshold."""
        points = 50.0 + POINTS_PER_LOGIT * (self.logit(indicators) - self.threshold)
        return round(min(100.0, max(0.0, points)), 1)

    def contributions(self, indicators: Sequence[Indicator]) -> tuple[Indicator, ...]:
        """Each indicator with its points; repeats of a name add 0."""
        values = self.features(indicators)
        used: set[str] = set()
        result: list[Indicator] = []
        for item in indicators:
            points = 0.0
            value = values.get(item.name)
            if value is not None and item.name not in used and item.score / FEATURE_SCALE == value:
                used.add(item.name)
                points = POINTS_PER_LOGIT * self.weight(item.name) * value
            result.append(Indicator(item.name, round(points, 2), item.evidence))
        return tuple(result)

    def baseline(self) -> float:
        """The points a message with no known indicator gets (before clamping)."""
        return 50.0 + POINTS_PER_LOGIT * (self.intercept - self.threshold)

    def to_json(self) -> str:
        """Serialise, weights sorted by name."""
        payload = {
            "format_version": FORMAT_VERSION,
            "intercept": round(self.intercept, 6),
            "prior_weight": self.prior_weight,
            "threshold": round(self.threshold, 6),
            "weights": {name: round(w, 6) for name, w in sorted(self.weights.items())},
            "metadata": self.metadata,
        }
        return json.dumps(payload, indent=1, sort_keys=True) + "\n"


def load_scoring_model(path: Path) -> ScoringModel:
    """Read a model written by :meth:`ScoringModel.to_json`."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"scoring model {path.name} has an unknown format")
    return ScoringModel(
        weights={str(k): float(v) for k, v in payload["weights"].items()},
        intercept=float(payload["intercept"]),
        threshold=float(payload["threshold"]),
        metadata=dict(payload.get("metadata", {})),
        prior_weight=float(payload.get("prior_weight", 1.0)),
    )


@functools.lru_cache(maxsize=1)
def default_model() -> ScoringModel | None:
    """The shipped model, read once per process; None when no artifact exists."""
    if not DEFAULT_PATH.exists():
        return None
    return load_scoring_model(DEFAULT_PATH)


def reset_default_model() -> None:
    """Forget the cached shipped model (tests, or after retraining)."""
    default_model.cache_clear()

"""Fit the scorer: ``python -m pipeline.training.fit_scorer --corpus DIR [--out FILE]``.

Weights are non-negative (an indicator only moves the score the way its analyzer
meant) and capped, so no single indicator can carry a decision on its own merit in
the training corpus. Text probabilities come from cross-fitted text models, never
from a model that saw the same email.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from pipeline.indicators import Indicator
from pipeline.scoring_model import DEFAULT_PATH, FEATURE_SCALE, ScoringModel
from pipeline.training.crossfit import corpus_indicators

log = logging.getLogger(__name__)

MIN_COUNT = 3
WEIGHT_CAP = 3.0
L2 = 0.002
MAX_FPR = 0.005


def _names(indicator_lists: Sequence[Sequence[Indicator]]) -> list[str]:
    counts = Counter(name for items in indicator_lists for name in {i.name for i in items})
    return sorted(name for name, count in counts.items() if count >= MIN_COUNT)


def feature_matrix(
    indicator_lists: Sequence[Sequence[Indicator]], names: Sequence[str]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Rows of strongest indicator values (score / 10), columns in ``names`` order."""
    model = ScoringModel(weights=dict.fromkeys(names, 0.0), intercept=0.0)
    index = {name: column for column, name in enumerate(names)}
    matrix = np.zeros((len(indicator_lists), len(names)))
    for row, items in enumerate(indicator_lists):
        for name, value in model.features(items).items():
            matrix[row, index[name]] = value
    return matrix


def fit_scoring_model(
    indicator_lists: Sequence[Sequence[Indicator]], labels: np.ndarray
) -> ScoringModel:
    """Class-balanced, L2-penalised logistic regression with bounded weights."""
    names = _names(indicator_lists)
    x = feature_matrix(indicator_lists, names)
    y = labels.astype(np.float64)
    sample_weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = -np.mean(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        residual = sample_weight * (p - y) / len(y)
        grad = np.append(x.T @ residual + 2 * L2 * w, residual.sum())
        return float(nll + L2 * np.dot(w, w)), grad

    bounds = [(0.0, WEIGHT_CAP)] * len(names) + [(None, None)]
    start = np.zeros(len(names) + 1)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    weights = {name: float(w) for name, w in zip(names, result.x[:-1], strict=True) if w > 1e-4}
    model = ScoringModel(weights=weights, intercept=float(result.x[-1]))
    logits = np.array([model.logit(items) for items in indicator_lists])
    threshold = choose_threshold(logits, labels, MAX_FPR)
    meta = {"feature_scale": FEATURE_SCALE, "max_fpr": MAX_FPR, "trained_on": len(labels)}
    return ScoringModel(weights, model.intercept, threshold, meta)


def choose_threshold(logits: np.ndarray, labels: np.ndarray, max_fpr: float) -> float:
    """The lowest log-odds threshold whose false-positive rate stays within ``max_fpr``."""
    ham = np.sort(logits[labels == 0])[::-1]
    allowed = int(np.floor(max_fpr * len(ham)))
    if len(ham) == 0:
        return 0.0
    # Just above the (allowed + 1)-th highest ham score, and never below even odds.
    return max(0.0, float(ham[min(allowed, len(ham) - 1)]) + 1e-6)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: cross-fit text scores, fit, write the JSON artifact."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    indicator_lists, labels = corpus_indicators(args.corpus)
    model = fit_scoring_model(indicator_lists, labels)
    args.out.write_text(model.to_json(), encoding="utf-8")
    log.info("scoring_model_saved path=%s weights=%d", args.out, len(model.weights))


if __name__ == "__main__":
    main()

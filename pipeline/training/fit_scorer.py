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

from pipeline.analyzers.text import CLASSIFIER
from pipeline.indicators import Indicator
from pipeline.scoring_model import DEFAULT_PATH, FEATURE_SCALE, ScoringModel
from pipeline.training.crossfit import corpus_indicators, fold_splits

log = logging.getLogger(__name__)

MIN_COUNT = 3
WEIGHT_CAP = 2.0
# The corpus's ham never passed the receiving system that wrote the phishing's
# Authentication-Results, and the text model learnt from the same corpus: these
# may count for at most their analyzer's own points.
NAME_CAPS = {
    "text_classifier": 1.0,
    "auth_compauth_fail": 1.0,
    "auth_dmarc_fail": 1.0,
    "auth_spf_fail": 1.0,
    "auth_spf_softfail": 1.0,
    "auth_dkim_fail": 1.0,
    # Common in legitimate bulk and list mail (ESP bounce domains, list Sender and
    # Reply-To headers, short notifications), which this corpus's ham under-represents.
    "return_path_mismatch": 1.0,
    "sender_mismatch": 1.0,
    "reply_to_domain_mismatch": 1.0,
    "html_sparse_lure": 1.0,
}
PRIOR_WEIGHT = 1.0
L2 = 0.002
# The operating goal allows 1% false positives; the threshold is placed at 0.75% on
# cross-fitted training scores, because mail the model has not seen scores a little
# higher than that (out of fold this lands at about 1%).
MAX_FPR = 0.0075
THRESHOLD_FOLDS = 4


def _names(indicator_lists: Sequence[Sequence[Indicator]]) -> list[str]:
    counts = Counter(name for items in indicator_lists for name in {i.name for i in items})
    return sorted(name for name, count in counts.items() if count >= MIN_COUNT)


def feature_matrix(
    indicator_lists: Sequence[Sequence[Indicator]], names: Sequence[str]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Rows of strongest indicator values (score / 10), columns in ``names`` order."""
    model = ScoringModel(weights={}, intercept=0.0)
    index = {name: column for column, name in enumerate(names)}
    matrix = np.zeros((len(indicator_lists), len(names)))
    for row, items in enumerate(indicator_lists):
        for name, value in model.features(items).items():
            if name in index:
                matrix[row, index[name]] = value
    return matrix


def _rare_offsets(
    indicator_lists: Sequence[Sequence[Indicator]], fitted: set[str]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The fixed log-odds each row gets from names kept at the prior weight."""
    model = ScoringModel(weights={}, intercept=0.0, prior_weight=PRIOR_WEIGHT)
    offsets = np.zeros(len(indicator_lists))
    for row, items in enumerate(indicator_lists):
        values = model.features(items)
        offsets[row] = sum(PRIOR_WEIGHT * x for name, x in values.items() if name not in fitted)
    return offsets


def fit_scoring_model(
    indicator_lists: Sequence[Sequence[Indicator]],
    labels: np.ndarray,
    groups: Sequence[int] | None = None,
) -> ScoringModel:
    """Fit the weights on all rows; place the threshold on cross-fitted log-odds.

    In-sample log-odds flatter the ham, so the threshold comes from models that did
    not see the row they score, nor (with ``groups``) any row of its group.
    """
    model = _fit_weights(indicator_lists, labels)
    held_out = np.zeros(len(labels))
    for train, test in fold_splits(labels, groups, THRESHOLD_FOLDS, seed=0):
        part = _fit_weights([indicator_lists[i] for i in train], labels[train])
        held_out[test] = [part.logit(indicator_lists[i]) for i in test]
    threshold = choose_threshold(held_out, labels, MAX_FPR)
    meta = {"feature_scale": FEATURE_SCALE, "max_fpr": MAX_FPR, "trained_on": len(labels)}
    return ScoringModel(model.weights, model.intercept, threshold, meta, PRIOR_WEIGHT)


def _fit_weights(
    indicator_lists: Sequence[Sequence[Indicator]], labels: np.ndarray
) -> ScoringModel:
    """Class-balanced logistic regression, weights bounded and shrunk toward the prior."""
    names = _names(indicator_lists)
    x = feature_matrix(indicator_lists, names)
    offset = _rare_offsets(indicator_lists, set(names))
    y = labels.astype(np.float64)
    sample_weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b + offset
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = -np.mean(sample_weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        residual = sample_weight * (p - y) / len(y)
        shrink = w - PRIOR_WEIGHT
        grad = np.append(x.T @ residual + 2 * L2 * shrink, residual.sum())
        return float(nll + L2 * np.dot(shrink, shrink)), grad

    no_evidence = _ham_leaning(x, y, names)
    caps = [0.0 if name in no_evidence else NAME_CAPS.get(name, WEIGHT_CAP) for name in names]
    bounds = [(0.0, cap) for cap in caps] + [(None, None)]
    start = np.append(np.minimum(caps, 1.0), 0.0)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    weights = {name: float(w) for name, w in zip(names, result.x[:-1], strict=True)}
    return ScoringModel(weights=weights, intercept=float(result.x[-1]), prior_weight=PRIOR_WEIGHT)


def _ham_leaning(x: np.ndarray, y: np.ndarray, names: Sequence[str]) -> set[str]:
    """Indicators that fire on at least as large a share of the ham as of the phishing.

    Such a name is no evidence of phishing in the training mail, whatever its analyzer
    meant, and shrinkage toward the analyzer's points would still let it add points to
    ham; its weight is held at 0. The classifier's score is graded, not fired, and exempt.
    """
    fired = x > 0
    ham_rate = fired[y == 0].mean(axis=0)
    phishing_rate = fired[y == 1].mean(axis=0)
    return {
        name
        for name, ham, phishing in zip(names, ham_rate, phishing_rate, strict=True)
        if ham >= phishing and name != CLASSIFIER
    }


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

    indicator_lists, labels, groups = corpus_indicators(args.corpus)
    model = fit_scoring_model(indicator_lists, labels, groups)
    args.out.write_text(model.to_json(), encoding="utf-8")
    log.info("scoring_model_saved path=%s weights=%d", args.out, len(model.weights))


if __name__ == "__main__":
    main()

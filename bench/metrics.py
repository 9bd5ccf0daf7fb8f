"""Detection metrics at an operating point, plus ROC AUC from continuous scores."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score


def summarise(labels: np.ndarray, positive: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    """Precision, recall, F1, false-positive rate, AUC and the confusion counts."""
    tp = int(np.sum(positive & (labels == 1)))
    fp = int(np.sum(positive & (labels == 0)))
    fn = int(np.sum(~positive & (labels == 1)))
    tn = int(np.sum(~positive & (labels == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "fpr": fp / (fp + tn) if fp + tn else 0.0,
        "roc_auc": float(roc_auc_score(labels, scores)),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def by_source(sources: list[str], positive: np.ndarray) -> dict[str, float]:
    """The share of each source's emails that were flagged."""
    rates: dict[str, float] = {}
    for source in sorted(set(sources)):
        mask = np.array([s == source for s in sources])
        rates[source] = float(positive[mask].mean())
    return rates

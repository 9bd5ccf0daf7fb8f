"""Generalisation to ham from a source the model never saw.

For each ham source, PhishX is trained on the other ham source and 80% of the
phishing (group-aware), then scored on all of the held-out source's ham and the
remaining phishing. Its false-positive rate there estimates how PhishX treats mail
unlike anything in training, which the pooled cross-validation cannot show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from bench.metrics import summarise

Fitter = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]
HAM_SOURCES = ("spamassassin", "usrp-users")


def unseen_ham_sources(
    result: dict[str, Any], sources: list[str], fit_and_score: Fitter, seed: int
) -> dict[str, Any]:
    """Metrics on each ham source when it was left out of training entirely."""
    labels: np.ndarray = result["labels"]
    groups = np.array(result["groups"])
    phishing = np.flatnonzero(labels == 1)
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    train_part, test_part = next(splitter.split(phishing, groups=groups[phishing]))
    report: dict[str, Any] = {}
    for held_out in HAM_SOURCES:
        ham_test = np.array([i for i, s in enumerate(sources) if s == held_out])
        ham_train = np.array([i for i, s in enumerate(sources) if labels[i] == 0 and s != held_out])
        train = np.concatenate([phishing[train_part], ham_train])
        test = np.concatenate([phishing[test_part], ham_test])
        scores, margins, _ = fit_and_score(
            result["static"], result["features"], labels, train, test, seed=seed
        )
        metrics = summarise(labels[test], scores >= 50, margins)
        report[held_out] = {k: metrics[k] for k in ("precision", "recall", "fpr", "roc_auc")}
    return report

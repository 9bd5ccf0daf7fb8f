"""Cross-fitting: text probabilities for training emails from models that never saw them.

Folds keep each group (sender, campaign subject, shared passage; see
:mod:`pipeline.training.groups`) whole: a model that saw a campaign's siblings reads
the rest of it too well, and the scorer would trust the text model for that.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from pipeline.indicators import Indicator
from pipeline.textmodel.features import vectorize
from pipeline.training.corpus import load_corpus
from pipeline.training.groups import group_ids
from pipeline.training.replay import static_indicators, with_text_probability
from pipeline.training.train_text import fit_text_model, texts_of

log = logging.getLogger(__name__)

INNER_FOLDS = 4


def fold_splits(
    labels: np.ndarray, groups: Sequence[int] | None, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds, keeping groups whole when they are given."""
    rows = np.zeros(len(labels))
    if groups is None:
        return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, labels))
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    return list(splitter.split(rows, labels, np.asarray(groups)))


def out_of_fold_probabilities(
    features: sparse.csr_matrix,
    labels: np.ndarray,
    folds: int = INNER_FOLDS,
    seed: int = 0,
    groups: Sequence[int] | None = None,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each row's probability from a text model trained on the other folds."""
    logits = np.zeros(len(labels))
    for train, test in fold_splits(labels, groups, folds, seed):
        model = fit_text_model(features[train], labels[train])
        logits[test] = model.decision(features[test])
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))


def attach_text(
    static: Sequence[Sequence[Indicator]], probabilities: np.ndarray
) -> list[list[Indicator]]:
    """Every email's static indicators plus its text classifier indicator."""
    return [
        with_text_probability(items, float(p))
        for items, p in zip(static, probabilities, strict=True)
    ]


def corpus_indicators(root: Path) -> tuple[list[list[Indicator]], np.ndarray, list[int]]:
    """Indicators with cross-fitted text scores for every email of a corpus, labels, groups."""
    samples = load_corpus(root)
    labels = np.array([sample.label for sample in samples])
    groups = group_ids([sample.message for sample in samples])
    static = [static_indicators(sample.message) for sample in samples]
    features = vectorize(texts_of(samples))
    probabilities = out_of_fold_probabilities(features, labels, groups=groups)
    log.info("crossfit_done samples=%d groups=%d", len(samples), len(set(groups)))
    return attach_text(static, probabilities), labels, groups

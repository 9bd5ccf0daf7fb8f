"""Cross-fitting: text probabilities for training emails from models that never saw them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedKFold

from pipeline.indicators import Indicator
from pipeline.textmodel.features import vectorize
from pipeline.training.corpus import load_corpus
from pipeline.training.replay import static_indicators, with_text_probability
from pipeline.training.train_text import fit_text_model, texts_of

log = logging.getLogger(__name__)

INNER_FOLDS = 4


def out_of_fold_probabilities(
    features: sparse.csr_matrix, labels: np.ndarray, folds: int = INNER_FOLDS, seed: int = 0
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each row's probability from a text model trained on the other folds."""
    logits = np.zeros(len(labels))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
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


def corpus_indicators(root: Path) -> tuple[list[list[Indicator]], np.ndarray]:
    """Indicators with cross-fitted text scores for every email of a corpus, and labels."""
    samples = load_corpus(root)
    labels = np.array([sample.label for sample in samples])
    static = [static_indicators(sample.message) for sample in samples]
    features = vectorize(texts_of(samples))
    probabilities = out_of_fold_probabilities(features, labels)
    log.info("crossfit_done samples=%d", len(samples))
    return attach_text(static, probabilities), labels

"""The trained text model: a weight vector over hashed features, stored as numpy .npz.

The artifact holds only arrays and a JSON metadata string (no pickle), and is loaded
once per process through :func:`get_model`; :func:`reset_model` forgets it (tests).
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse

from pipeline.errors import ConfigurationError
from pipeline.textmodel.features import N_FEATURES, normalise, weighted_sum

# 2: character n-grams hashed by PhishX itself (pipeline.textmodel.char_grams).
FORMAT_VERSION = 2
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "text_model.npz"


@dataclass(frozen=True)
class TextModel:
    """Logistic regression weights; ``phishing_probability`` is its only behaviour."""

    coef: np.ndarray[Any, np.dtype[np.float64]]
    intercept: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def decision(self, features: sparse.csr_matrix) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Raw log-odds for each row of a feature matrix."""
        scores = features @ self.coef
        return np.asarray(scores, dtype=np.float64).ravel() + self.intercept

    def phishing_probability(self, subject: str, body: str) -> float:
        """The probability that this subject and body are a lure."""
        # One document per call: sklearn's per-call input validation would cost more
        # than the hashing itself.
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            logit = weighted_sum(normalise(subject, body), self.coef) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    def save(self, path: Path) -> None:
        """Write the artifact: float16 weights plus JSON metadata, compressed."""
        meta = {**self.metadata, "format_version": FORMAT_VERSION, "n_features": N_FEATURES}
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float16),
            intercept=np.array([self.intercept], dtype=np.float64),
            metadata=np.array(json.dumps(meta, sort_keys=True)),
        )


def load_model(path: Path) -> TextModel:
    """Read an artifact written by :meth:`TextModel.save`; refuse incompatible ones."""
    with np.load(path, allow_pickle=False) as archive:
        metadata = json.loads(str(archive["metadata"]))
        coef = archive["coef"].astype(np.float64)
        intercept = float(archive["intercept"][0])
    if metadata.get("format_version") != FORMAT_VERSION or coef.shape != (N_FEATURES,):
        raise ConfigurationError(f"text model {path.name} does not match this PhishX version")
    return TextModel(coef=coef, intercept=intercept, metadata=metadata)


_lock = threading.Lock()
_cached: dict[Path, TextModel] = {}


def get_model(path: Path = DEFAULT_PATH) -> TextModel:
    """The process-wide model, loaded on first use."""
    with _lock:
        model = _cached.get(path)
        if model is None:
            model = load_model(path)
            _cached[path] = model
        return model


def reset_model() -> None:
    """Forget loaded models, so the next :func:`get_model` reads the file again."""
    with _lock:
        _cached.clear()

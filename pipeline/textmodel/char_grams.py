"""Hashed character n-grams inside words, counted with numpy.

Each whitespace-separated word is padded with one space on either side and cut into
every 3-, 4- and 5-character piece that stays inside the padded word (the n-grams
of scikit-learn's ``char_wb`` analyser). A piece's hash is a polynomial over its
code points, spread over the feature space by Fibonacci hashing; the row is the
pieces' counts, scaled to unit length. Done in a few array operations per text,
this costs a small fraction of building one Python string per piece.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

GRAM_SIZES = (3, 4, 5)
FEATURE_BITS = 18
N_FEATURES = 2**FEATURE_BITS

_PRIME = np.uint64(1_000_003)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - FEATURE_BITS)
_SPACE = 32

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def char_gram_row(text: str) -> tuple[IntArray, FloatArray]:
    """The text's feature indices (sorted, distinct) and their unit-length weights."""
    words = text.split()
    if not words:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    padded = " " + "  ".join(words) + " "
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Neighbouring words are joined by two spaces: a piece holding both spans two words.
    space = codes == _SPACE
    joins = np.concatenate(([0], np.cumsum(space[:-1] & space[1:])))
    hashes = []
    for size in GRAM_SIZES:
        count = len(codes) - size + 1
        if count <= 0:
            break
        rolling = np.zeros(count, dtype=np.uint64)
        for offset in range(size):
            rolling = rolling * _PRIME + codes[offset : offset + count]
        inside_a_word = joins[size - 1 : size - 1 + count] == joins[:count]
        hashes.append(rolling[inside_a_word])
    indices = (np.concatenate(hashes) * _GOLDEN) >> _SHIFT
    distinct, counts = np.unique(indices.astype(np.int64), return_counts=True)
    weights = counts.astype(np.float64)
    return distinct, weights / np.sqrt(np.dot(weights, weights))


def char_gram_matrix(texts: list[str]) -> sparse.csr_matrix:
    """One :func:`char_gram_row` per text, as a sparse matrix."""
    rows = [char_gram_row(text) for text in texts]
    pointers = np.concatenate(([0], np.cumsum([len(indices) for indices, _ in rows])))
    indices = np.concatenate([indices for indices, _ in rows]) if rows else np.zeros(0)
    values = np.concatenate([values for _, values in rows]) if rows else np.zeros(0)
    return sparse.csr_matrix((values, indices, pointers), shape=(len(texts), N_FEATURES))

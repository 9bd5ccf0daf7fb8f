"""Character n-grams: the pieces scikit-learn's char_wb analyser cuts, hashed with numpy."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from pipeline.textmodel.char_grams import N_FEATURES, char_gram_matrix, char_gram_row
from pipeline.textmodel.features import normalise, vectorize, weighted_sum

TEXTS = [
    "verify your account now",
    "a b c",
    "an accented café, naïve übung",
    "日本語 のテキスト and punctuation!!! ...",
    "x",
]


def _reference_counts(text: str) -> list[int]:
    """The counts of each distinct piece, as scikit-learn's analyser cuts them."""
    analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False)
    counts = analyzer.fit_transform([text]).toarray().ravel()
    return sorted(int(count) for count in counts)


@pytest.mark.parametrize("text", TEXTS)
def test_pieces_match_the_char_wb_analyser(text: str) -> None:
    """Same pieces, same counts: the row is the analyser's, up to the hash function."""
    _, weights = char_gram_row(text)
    counts = weights / weights.min()

    assert sorted(round(count) for count in counts) == _reference_counts(text)


def test_row_has_unit_length_and_valid_indices() -> None:
    """Weights are scaled to length one; indices are distinct and inside the space."""
    indices, weights = char_gram_row("Please confirm the payment details today")

    assert np.isclose(np.dot(weights, weights), 1.0)
    assert len(set(indices.tolist())) == len(indices)
    assert indices.min() >= 0
    assert indices.max() < N_FEATURES


def test_no_piece_spans_two_words() -> None:
    """'ab cd' and 'abcd' share no piece that joins b and c."""
    joined, _ = char_gram_row("abcd")
    apart, _ = char_gram_row("ab cd")

    assert set(joined.tolist()) != set(apart.tolist())
    assert len(apart) == len(_reference_counts("ab cd"))


def test_whitespace_does_not_change_the_row() -> None:
    """Runs of spaces, tabs and newlines separate words like one space does."""
    first = char_gram_row("one two\nthree")
    second = char_gram_row("  one \t two \n\n three  ")

    assert np.array_equal(first[0], second[0])
    assert np.allclose(first[1], second[1])


def test_empty_text_has_an_empty_row() -> None:
    """Nothing to cut gives no features, and the matrix keeps the empty row."""
    indices, weights = char_gram_row("   ")
    matrix = char_gram_matrix(["", "word"])

    assert len(indices) == len(weights) == 0
    assert matrix.shape == (2, N_FEATURES)
    assert matrix[0].nnz == 0
    assert matrix[1].nnz > 0


def test_one_email_weighed_alone_matches_the_matrix() -> None:
    """The single-email path gives the same log-odds as the training matrix."""
    texts = [normalise("Account locked", "Verify your password within 24 hours."),
             normalise("Minutes", "Notes from Tuesday's meeting are attached.")]  # fmt: skip
    weights = np.random.default_rng(7).normal(size=vectorize(texts).shape[1])

    expected = vectorize(texts) @ weights
    assert [weighted_sum(text, weights) for text in texts] == pytest.approx(expected.tolist())

"""Text to features: normalisation, lure cues and hashed word and character n-grams.

Only the Subject and the visible body are used; no other header, no address and no
URL reaches the model. Hashing needs no stored vocabulary, so the artifact is just a
weight vector. The cue lexicons live in :mod:`pipeline.textmodel.cues`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from pipeline.textmodel.char_grams import N_FEATURES as CHAR_GRAM_FEATURES
from pipeline.textmodel.char_grams import char_gram_matrix, char_gram_row
from pipeline.textmodel.cues import CUES
from pipeline.textmodel.stopwords import remove_stop_words

WORD_FEATURES = 2**18
CHAR_FEATURES = CHAR_GRAM_FEATURES
MAX_CHARS = 6000

_LIST_TAG = re.compile(r"^\s*(\[[^\]]{1,40}\]\s*)+")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr|res|enc)\s*:\s*)+", re.IGNORECASE)
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")
_FOOTER_RULE = re.compile(r"^_{20,}\s*$")
_ATTRIBUTION = re.compile(
    r"^(on .{0,200} wrote:|am .{0,200} schrieb .{0,80}:|em .{0,200} escreveu:)$"
)
# The header block a mail client writes under a rule when it forwards or quotes a message.
_FORWARD_HEADER = re.compile(
    r"^(from|sent|to|cc|subject|date|de|enviado|para|assunto|data|von|gesendet|an|"
    r"betreff|datum|van|verzonden|aan|onderwerp|asunto|fecha|envoyé|objet)\s*:"
)

_WORDS = HashingVectorizer(
    n_features=WORD_FEATURES,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm="l2",
    token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 - a regular expression, not a password
    lowercase=False,
)
N_FEATURES = WORD_FEATURES + CHAR_FEATURES + len(CUES)


def clean_subject(subject: str) -> str:
    """The subject without list tags and reply/forward prefixes."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _REPLY_PREFIX.sub("", _LIST_TAG.sub("", subject))
    return subject.strip()


def clean_body(body: str) -> str:
    """The author's own text: quoted replies, attributions and list footers removed.

    A rule (a line of underscores) ends the author's text, except when nothing was
    written above it and a forwarded message's header block follows: then the
    forwarded message is what the sender put in front of the reader, and only its
    header block is dropped.
    """
    lines = [line.strip() for line in body[: MAX_CHARS * 3].splitlines()]
    kept: list[str] = []
    index = 0
    while index < len(lines):
        stripped = lines[index]
        if _FOOTER_RULE.match(stripped):
            if kept or not _forward_follows(lines, index + 1):
                break
            index = _skip_forward_header(lines, index + 1)
            continue
        if stripped and not (stripped.startswith(">") or _ATTRIBUTION.match(stripped.lower())):
            kept.append(stripped)
        index += 1
    return " ".join(" ".join(kept).split())


def _forward_follows(lines: list[str], start: int) -> bool:
    following = next((line for line in lines[start:] if line), "")
    return bool(_FORWARD_HEADER.match(following.lower()))


def _skip_forward_header(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and (not lines[index] or _FORWARD_HEADER.match(lines[index].lower())):
        index += 1
    return index


def cue_text(subject: str, body: str) -> str:
    """Lower-cased subject and own body text with URLs and addresses blanked, for cues."""
    own_subject, own_body = _own_text(subject, body)
    text = f"{own_subject}\n{own_body}".lower()
    return _EMAIL.sub(" ", _URL.sub(" ", text))


def normalise(subject: str, body: str) -> str:
    """Lower-cased text with URLs, addresses and digits replaced by placeholders."""
    own_subject, own_body = _own_text(subject, body)
    text = f"{own_subject} \n {own_body}".lower()
    text = _URL.sub(" urltoken ", text)
    text = _EMAIL.sub(" emailtoken ", text)
    # Cut only after the substitutions, so an address's length cannot move the cut.
    return _DIGITS.sub("0", remove_stop_words(text[: MAX_CHARS * 3]))[:MAX_CHARS]


# The text stage and the model both read one email's text: the second reading is free.
@functools.lru_cache(maxsize=8)
def _own_text(subject: str, body: str) -> tuple[str, str]:
    return clean_subject(subject), clean_body(body)


def cue_matches(text: str) -> tuple[str, ...]:
    """The first match of each lure cue in lower-cased text, or '' where a cue does not match."""
    return tuple(
        match.group(0) if (match := pattern.search(text)) else "" for pattern in CUES.values()
    )


def cue_vector(text: str) -> list[float]:
    """One 0/1 value per lure cue found in normalised text."""
    return [1.0 if found else 0.0 for found in cue_matches(text)]


def weighted_sum(text: str, weights: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """One normalised text's feature row times ``weights``: ``vectorize([text]) @ weights``.

    The blocks are weighed one by one; for a single document, stacking them into one
    sparse row would cost more than hashing the text.
    """
    words = _WORDS.transform([text])
    total = float(words.data @ weights[words.indices])
    indices, values = char_gram_row(text)
    total += float(values @ weights[WORD_FEATURES + indices])
    return total + float(np.dot(cue_vector(text), weights[WORD_FEATURES + CHAR_FEATURES :]))


def vectorize(texts: list[str]) -> sparse.csr_matrix:
    """Normalised texts to the model's sparse feature matrix."""
    words = _WORDS.transform(texts)
    chars = char_gram_matrix(texts)
    cues = sparse.csr_matrix(np.array([cue_vector(text) for text in texts], dtype=np.float64))
    return sparse.hstack([words, chars, cues], format="csr")

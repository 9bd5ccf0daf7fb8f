"""Text to features: normalisation, lure cues and hashed word and character n-grams.

Only the Subject and the visible body are used; no other header, no address and no
URL reaches the model. Hashing needs no stored vocabulary, so the artifact is just a
weight vector.

Note:
    The cue lexicons cover English, Portuguese, German, Dutch and Spanish; lures in
    other languages rely on the n-gram weights alone.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from pipeline.textmodel.stopwords import remove_stop_words

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
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

CUES: dict[str, re.Pattern[str]] = {
    # Matched against lower-cased text only: case-blind matching costs twice the time.
    name: re.compile(pattern)
    for name, pattern in {
        "credential": r"\b(verify|confirm|update|validate|re-?activate|unlock)\s+(your\s+)?"
        r"(account|password|identity|login|credentials|mailbox|e-?mail|details|information)"
        r"|\b(atualize|confirme|valide)\s+(seus?|sua)\s+(dados|cadastro|conta|senha)"
        r"|\b(bestätigen|aktualisieren|verifizieren)\s+sie\s+(ihr|ihre)"
        r"|\b(bevestig|verifieer|update)\s+uw\s+(gegevens|account)",
        "urgency": r"\b(urgent|immediately|within\s+\d+\s+(hours|days)|act\s+now|final\s+"
        r"(notice|warning|reminder)|expires?\s+today|last\s+(chance|warning)|imediatamente|"
        r"urgente|sofort|dringend|onmiddellijk|inmediatamente|ultimo\s+aviso|último\s+aviso)\b",
        "threat": r"\b(suspend(ed)?|locked|blocked|deactivat(ed|ion)|unusual\s+(sign[- ]?in|"
        r"activity)|will\s+be\s+(closed|terminated|deleted|disabled)|bloquead[oa]|suspens[oa]|"
        r"gesperrt|deaktiviert|geblokkeerd|cancelad[oa])\b",
        "password": r"\b(password|passwort|senha|wachtwoord|contraseña|mot\s+de\s+passe)\b",
        "money": r"\b(invoice|payment|refund|transfer|wire|bitcoin|crypto|fatura|boleto|pix|"
        r"pagamento|rechnung|zahlung|factuur|betaling|reembolso|erstattung)\b",
        "prize": r"\b(winner|won|prize|lottery|jackpot|congratulations|reward|gift\s*card|"
        r"bonus|ganhou|prêmio|premio|gewonnen|gewinn|parabéns|gefeliciteerd)\b",
        "delivery": r"\b(parcel|package|shipment|delivery|tracking|customs|encomenda|"
        r"entrega|pacote|sendung|paket|zustellung|pakket|bezorging)\b",
        "action": r"\b(click\s+(here|below|the\s+link)|clique\s+aqui|klicken\s+sie|klik\s+hier|"
        r"haga\s+clic|log\s*in\s+(now|here)|sign\s+in\s+now|acesse|access\s+now)\b",
        "wallet": r"\b(seed\s+phrase|recovery\s+phrase|secret\s+phrase|private\s+key|airdrop|"
        r"connect\s+(your\s+)?wallet|(verify|validate|sync|restore)\s+(your\s+)?wallet|"
        r"claim\s+(your\s+)?(tokens?|rewards?|airdrop|\$[a-z]{2,6})|"
        r"(confirm|verify|secure|sync)\s+your\s+(keys|seed|wallet))\b",
        "advance_fee": r"\b(next\s+of\s+kin|(named|made)\s+(you\s+)?(the\s+)?(sole\s+)?"
        r"beneficiary|inheritance\s+(fund|sum)|dying\s+bed|late\s+client|"
        r"unclaimed\s+(fund|sum|deposit)|consignment\s+box|compensation\s+fund|"
        r"(usd|us\$|eur|gbp)\s*\$?\s*[\d.,]+\s*(m\b|million)|"
        r"[\d.,]+\s*(million|m)\s*(us\s*dollars|usd|euros|pounds\s+sterling)|"
        r"herança|erbschaft|herencia)",
        "generic_greeting": r"\b(dear\s+(customer|user|client|member|account\s+holder|valued)|"
        r"prezado\s+cliente|caro\s+cliente|sehr\s+geehrte[r]?\s+kunde|beste\s+klant|"
        r"estimado\s+cliente)\b",
    }.items()
}
_WORDS = HashingVectorizer(
    n_features=WORD_FEATURES,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm="l2",
    token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 - a regular expression, not a password
    lowercase=False,
)
_CHARS = HashingVectorizer(
    n_features=CHAR_FEATURES,
    analyzer="char_wb",
    ngram_range=(3, 5),
    alternate_sign=False,
    norm="l2",
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
    """The author's own text: quoted replies, attributions and list footers removed."""
    kept: list[str] = []
    for line in body[: MAX_CHARS * 3].splitlines():
        stripped = line.strip()
        if _FOOTER_RULE.match(stripped):
            break
        if stripped.startswith(">") or _ATTRIBUTION.match(stripped.lower()):
            continue
        kept.append(stripped)
    return " ".join(" ".join(kept).split())


def cue_text(subject: str, body: str) -> str:
    """Lower-cased subject and own body text with URLs and addresses blanked, for cues."""
    text = f"{clean_subject(subject)}\n{clean_body(body)}".lower()
    return _EMAIL.sub(" ", _URL.sub(" ", text))


def normalise(subject: str, body: str) -> str:
    """Lower-cased text with URLs, addresses and digits replaced by placeholders."""
    text = f"{clean_subject(subject)} \n {clean_body(body)}".lower()
    text = _URL.sub(" urltoken ", text)
    text = _EMAIL.sub(" emailtoken ", text)
    # Cut only after the substitutions, so an address's length cannot move the cut.
    return _DIGITS.sub("0", remove_stop_words(text[: MAX_CHARS * 3]))[:MAX_CHARS]


def cue_vector(text: str) -> list[float]:
    """One 0/1 value per lure cue found in normalised text."""
    return [1.0 if pattern.search(text) else 0.0 for pattern in CUES.values()]


def vectorize(texts: list[str]) -> sparse.csr_matrix:
    """Normalised texts to the model's sparse feature matrix."""
    words = _WORDS.transform(texts)
    chars = _CHARS.transform(texts)
    cues = sparse.csr_matrix(np.array([cue_vector(text) for text in texts], dtype=np.float64))
    return sparse.hstack([words, chars, cues], format="csr")

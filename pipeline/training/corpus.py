"""Reading a labelled corpus (``labels.csv`` with path,label,source) for training."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.message import ParsedMessage, parse_message

# The honeypot owner's names appear in some lure subjects of the development corpus.
# They are removed before training so the model cannot learn them as a phishing cue.
TRAINING_SCRUB = re.compile(r"(?i)\b(rodrigo|ferreira|peixoto|rf\s*peixoto|rodrigo\s+f\s*p)\b")


@dataclass(slots=True)
class Sample:
    """One labelled email, parsed."""

    path: str
    label: int
    source: str
    raw: bytes
    message: ParsedMessage


def load_corpus(root: Path, limit: int | None = None) -> list[Sample]:
    """Parse every email listed in ``root/labels.csv``; phishing is label 1."""
    samples: list[Sample] = []
    with (root / "labels.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            raw = (root / row["path"]).read_bytes()
            label = 1 if row["label"].strip().lower() == "phishing" else 0
            samples.append(
                Sample(row["path"], label, row.get("source", ""), raw, parse_message(raw))
            )
            if limit is not None and len(samples) >= limit:
                break
    return samples


def training_text(message: ParsedMessage) -> tuple[str, str]:
    """(subject, body) as the text model sees them, with training-only scrubbing."""
    subject = TRAINING_SCRUB.sub(" ", message.subject)
    body = TRAINING_SCRUB.sub(" ", message.visible_text[:20000])
    return subject, body

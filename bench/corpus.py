"""The labelled corpus the benchmarks replay: paths and bytes, in labels.csv order."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass(frozen=True, slots=True)
class CorpusEmail:
    """One email of the corpus."""

    path: str
    label: str
    raw: bytes


def load_corpus(root: Path, limit: int | None = None) -> list[CorpusEmail]:
    """The first ``limit`` emails listed in ``root/labels.csv`` (all when None)."""
    emails: list[CorpusEmail] = []
    with (root / "labels.csv").open(newline="", encoding="utf-8") as listing:
        for row in csv.DictReader(listing):
            if limit is not None and len(emails) >= limit:
                break
            path = row["path"].strip()
            emails.append(CorpusEmail(path, row["label"].strip(), (root / path).read_bytes()))
    return emails

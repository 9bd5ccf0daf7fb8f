"""Detection quality: ``python -m bench.detection [--corpus DIR] [--json FILE] [--no-peers]``.

PhishX (every analyzer plus the fitted scorer, text model and scorer retrained per
fold) is cross-validated with stratified group folds (groups join emails sharing a
sender or a campaign subject), and the peers score the same emails in the same run.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedGroupKFold

from bench.invariance import measure
from bench.metrics import by_source, summarise
from bench.peers import DEFAULT_PEERS, peer_rows, run_peers
from bench.transfer import unseen_ham_sources
from pipeline.indicators import Indicator
from pipeline.scoring_model import ScoringModel
from pipeline.textmodel.features import vectorize
from pipeline.training.corpus import Sample, load_corpus
from pipeline.training.crossfit import attach_text, out_of_fold_probabilities
from pipeline.training.fit_scorer import fit_scoring_model
from pipeline.training.groups import group_ids
from pipeline.training.replay import static_indicators
from pipeline.training.train_text import fit_text_model, texts_of

FOLDS = 5
ROOT = Path(__file__).resolve().parent.parent


def cross_validate(samples: list[Sample], seed: int) -> dict[str, Any]:
    """Out-of-fold scores of the full pipeline and of two ablations."""
    labels = np.array([s.label for s in samples])
    groups = group_ids([s.message for s in samples])
    static = [static_indicators(s.message) for s in samples]
    features = vectorize(texts_of(samples))
    logit = {name: np.zeros(len(samples)) for name in ("phishx", "no_text", "text_only")}
    score = np.zeros(len(samples))
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(labels)), labels, groups):
        fitted = fit_and_score(static, features, labels, train, test, seed=seed, groups=groups)
        score[test], logit["phishx"][test], logit["text_only"][test] = fitted
        logit["no_text"][test] = _ablation(static, labels, train, test, groups)
    return {
        "labels": labels, "score": score, "logit": logit, "groups": groups,
        "static": static, "features": features,
    }  # fmt: skip


def fit_and_score(
    static: list[list[Indicator]],
    features: sparse.csr_matrix,
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    *,
    seed: int,
    groups: Sequence[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train text model and scorer on ``train``; scores, margins and text logits on ``test``.

    Inner folds (cross-fitted text scores, threshold) keep ``groups`` whole too.
    """
    inner = [groups[i] for i in train]
    train_probs = out_of_fold_probabilities(features[train], labels[train], seed=seed, groups=inner)
    train_items = attach_text([static[i] for i in train], train_probs)
    scorer = fit_scoring_model(train_items, labels[train], inner)
    text_logits = fit_text_model(features[train], labels[train]).decision(features[test])
    test_probs = 1.0 / (1.0 + np.exp(-np.clip(text_logits, -30, 30)))
    tested = attach_text([static[i] for i in test], test_probs)
    scores = np.array([scorer.score(items) for items in tested])
    margins = np.array([scorer.logit(items) - scorer.threshold for items in tested])
    return scores, margins, text_logits


def _ablation(
    static: list[list[Indicator]],
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    groups: list[int],
) -> list[float]:
    """Margins on ``test`` of a scorer fitted on ``train`` without the text model."""
    items = [static[i] for i in train]
    scorer: ScoringModel = fit_scoring_model(items, labels[train], [groups[i] for i in train])
    return [scorer.logit(static[i]) - scorer.threshold for i in test]


def phishx_rows(result: dict[str, Any], sources: list[str]) -> dict[str, Any]:
    """Metrics for PhishX (at score 50) and for the ablations (at their own thresholds)."""
    labels = result["labels"]
    rows: dict[str, Any] = {}
    for name, values in result["logit"].items():
        positive = result["score"] >= 50 if name == "phishx" else values >= 0
        rows[name] = {
            **summarise(labels, positive, values),
            "by_source": by_source(sources, positive),
        }
    return rows


def print_table(rows: dict[str, Any]) -> None:
    """The comparison as a fixed-width table."""
    print(f"{'system':14s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'FPR':>6s} {'AUC':>6s}")
    for name, row in rows.items():
        print(
            f"{name:14s} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
            f"{row['fpr']:6.3f} {row['roc_auc']:6.3f}"
        )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--peers-dir", type=Path, default=ROOT.parent / "shared" / "peers")
    parser.add_argument("--peers", default=DEFAULT_PEERS)
    parser.add_argument("--no-peers", action="store_true", help="skip Rspamd and SpamAssassin")
    parser.add_argument("--peer-results", type=Path, help="reuse a score.py JSON instead")
    parser.add_argument("--invariance-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args()

    began = time.perf_counter()
    samples = load_corpus(args.corpus)
    sources = [s.source for s in samples]
    result = cross_validate(samples, args.seed)
    rows = phishx_rows(result, sources)
    if not args.no_peers:
        if args.peer_results:
            peer_json = json.loads(args.peer_results.read_text(encoding="utf-8"))
        else:
            peer_json = run_peers(args.peers_dir, args.corpus, args.peers)
        rows.update(peer_rows(peer_json, [s.path for s in samples], result["labels"]))
    fitter = functools.partial(fit_and_score, groups=result["groups"])
    transfer = unseen_ham_sources(result, sources, fitter, args.seed)
    picked = random.Random(args.seed).sample(samples, min(args.invariance_sample, len(samples)))
    invariance = measure([s.raw for s in picked])

    n_groups = len(set(result["groups"]))
    print(f"{len(samples)} emails, {FOLDS}-fold stratified group CV ({n_groups} groups)")
    print_table(rows)
    print("unseen ham source:", json.dumps(transfer))
    print("invariance:", json.dumps(invariance))
    report = {
        "folds": FOLDS, "groups": n_groups, "rows": rows, "invariance": invariance,
        "unseen_ham_source": transfer, "elapsed_s": round(time.perf_counter() - began, 1),
    }  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

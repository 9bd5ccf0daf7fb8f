"""Peer scanners (Rspamd, SpamAssassin) on the same emails, via /work/shared/peers.

``start.sh`` starts the peers (idempotently) and ``score.py`` scores the corpus; the
per-email scores it writes are read back so the peers get the same metrics as PhishX.
Peers a benchmark started are stopped when it is done (``stop.sh``); peers that were
already running are left running.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bench.metrics import by_source, summarise

DEFAULT_PEERS = "rspamd,rspamd_noctx,spamassassin"


# Rspamd's scanner and spamd, on loopback (see the peers' README).
PEER_PORTS = (11333, 783)


@contextmanager
def peers_running(peers_dir: Path) -> Iterator[None]:
    """The peers up for the block; stopped after it unless they were up before it."""
    already_up = all(_listening(port) for port in PEER_PORTS)
    subprocess.run(["bash", str(peers_dir / "start.sh")], check=True, capture_output=True)
    try:
        yield
    finally:
        if not already_up:
            subprocess.run(["bash", str(peers_dir / "stop.sh")], check=False, capture_output=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def run_peers(peers_dir: Path, corpus: Path, peers: str) -> dict[str, Any]:
    """Score the corpus with the peers (started for it if need be); score.py's JSON."""
    with peers_running(peers_dir), tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "peers.json"
        command = [sys.executable, str(peers_dir / "score.py"), str(corpus), "--out", str(out)]
        subprocess.run([*command, "--peers", peers], check=True)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def peer_rows(results: dict[str, Any], paths: list[str], labels: np.ndarray) -> dict[str, Any]:
    """Each peer's metrics at its default rule, on the emails in ``paths`` order."""
    rows: dict[str, Any] = {}
    for name, peer in results.get("peers", {}).items():
        by_path = {record["path"]: record for record in peer.get("emails", [])}
        scores = np.array([_score(by_path.get(path)) for path in paths])
        positive = np.array([bool((by_path.get(path) or {}).get("positive")) for path in paths])
        sources = [str((by_path.get(path) or {}).get("source", "")) for path in paths]
        rows[name] = {
            **summarise(labels, positive, scores),
            "by_source": by_source(sources, positive),
            "errors": sum(1 for path in paths if by_path.get(path, {}).get("error")),
            "throughput_eps": peer.get("throughput_eps"),
        }
    return rows


def _score(record: dict[str, Any] | None) -> float:
    if not record or record.get("score") is None:
        return 0.0
    return float(record["score"])

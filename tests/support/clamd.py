"""A private clamd on loopback for tests, started with scripts/clamd.sh."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "clamd.sh"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@contextmanager
def running_clamd(workdir: Path) -> Iterator[tuple[str, int]]:
    """Install if needed, start clamd with an EICAR-only database, yield (host, port)."""
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", str(workdir)],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    host, _, port = started.stdout.strip().splitlines()[-1].rpartition(":")
    try:
        yield host, int(port)
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(workdir)], check=False, timeout=60)

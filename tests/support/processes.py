"""Real PhishX processes for tests: Celery workers and the phishx command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from celeryconfig import WORKER_QUEUES

ROOT = Path(__file__).resolve().parents[2]


def phishx_env(**settings: str) -> dict[str, str]:
    """The environment for a PhishX process: ours, minus PHISHX_*, plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PHISHX_")}
    env.update({f"PHISHX_{key.upper()}": value for key, value in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_phishx(
    args: Sequence[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the phishx command to completion and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "tasks.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Worker:
    """A ``celery -A tasks worker`` process in its own process group."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        concurrency: int = 2,
        queues: Sequence[str] = WORKER_QUEUES,
        beat: bool = False,
    ) -> None:
        """``beat`` embeds celery beat (``-B``), which schedules the periodic tasks."""
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.queues = queues
        self.beat = beat
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Worker:
        """Start the worker and wait until it consumes."""
        with self.log_path.open("ab") as log:
            self.process = self._spawn(log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log_path.read_text()[-3000:]}")
            if b" ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready:\n{self.log_path.read_text()[-3000:]}")

    def _spawn(self, log: IO[bytes]) -> subprocess.Popen[bytes]:
        beat = ["-B", "-s", str(self.log_path.with_suffix(".beat"))] if self.beat else []
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tasks",
                "worker",
                "-Q",
                ",".join(self.queues),
                "-c",
                str(self.concurrency),
                "-E",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "INFO",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
                *beat,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown, escalating to SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

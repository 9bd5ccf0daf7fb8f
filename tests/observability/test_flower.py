"""Flower against a real worker on the local Redis sees the workers and their tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.observability.conftest import free_port
from tests.support.mail import EXAMPLES
from tests.support.processes import ROOT, Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def flower(redis_url: str, tmp_path: Path) -> Iterator[str]:
    """Flower on a loopback port, its API open (no auth configured in tests)."""
    port = free_port()
    env = {**os.environ, "FLOWER_UNAUTHENTICATED_API": "true"}
    command = [
        sys.executable, "-m", "celery", f"--broker={redis_url}", "flower",
        f"--port={port}", "--address=127.0.0.1", f"--db={tmp_path / 'flower.db'}",
    ]  # fmt: skip
    with (tmp_path / "flower.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait(lambda: _get(f"{base}/healthcheck") is not None, 60)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def _get(url: str) -> Any:
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 and url.find("/api/") > 0 else True


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_flower_sees_the_worker_and_the_chain(
    flower: str, redis_url: str, tmp_path: Path, start_worker: Callable[..., Worker]
) -> None:
    """After one scan, Flower's API lists the worker and the six stage tasks."""
    database = f"sqlite:///{tmp_path / 'phishx.db'}"
    start_worker(broker_url=redis_url, database_url=database)
    env = phishx_env(broker_url=redis_url, database_url=database, data_dir=str(tmp_path))

    scanned = run_phishx(["scan", str(EXAMPLES / "newsletter.eml")], env, timeout=120)
    seen = _wait(lambda: len(_get(f"{flower}/api/tasks") or {}) >= 6, 30)

    assert scanned.returncode == 0, scanned.stderr
    assert seen
    tasks = _get(f"{flower}/api/tasks")
    assert {task["name"] for task in tasks.values()} >= {"phishx.parse", "phishx.decide"}
    assert _wait(lambda: bool(_get(f"{flower}/api/workers?refresh=1")), 30)

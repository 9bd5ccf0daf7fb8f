"""The NLP service fails, then hangs, then recovers: the breaker opens, probes and closes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from pipeline.resilience import CircuitBreaker, CircuitState, RedisBreakerStore
from tests.faults.batch import finished, query, wait_until, write_batch
from tests.support.edge import FakeNlpService
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

THRESHOLD = 3
RECOVERY = 3.0


def _breaker_state(broker_url: str) -> CircuitState:
    store = RedisBreakerStore(redis.Redis.from_url(broker_url))
    return CircuitBreaker("nlp", store=store).state


def _text_runs(database_url: str) -> list[str]:
    rows = query(
        database_url, "SELECT degraded_reason FROM stage_runs WHERE stage='text' ORDER BY id"
    )
    return [str(reason) for (reason,) in rows]


def _scan(env: dict[str, str], folder: Path, database_url: str, expected: int) -> None:
    submitted = run_phishx(["submit", str(folder)], env)
    assert submitted.returncode == 0, submitted.stderr
    assert wait_until(lambda: finished(database_url) == expected, timeout=60)


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_breaker_follows_the_nlp_service(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """Open after THRESHOLD errors, fail fast, re-open on a hung trial, close on recovery."""
    with FakeNlpService() as nlp:
        env = phishx_env(
            broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path),
            nlp_url=nlp.url, service_timeout="1", breaker_failure_threshold=str(THRESHOLD),
            breaker_recovery_timeout=str(RECOVERY),
        )  # fmt: skip
        for phase, size in (("errors", 8), ("hang", 1), ("back", 4)):
            write_batch(tmp_path / phase, size, body_lines=size + len(phase))
        worker = Worker(env, tmp_path / "worker.log", concurrency=1).start()
        try:
            nlp.set_mode("error")
            _scan(env, tmp_path / "errors", database_url, 8)
            calls_while_failing, state_after_errors = nlp.requests, _breaker_state(broker_url)

            time.sleep(RECOVERY + 0.5)
            nlp.set_mode("hang")
            _scan(env, tmp_path / "hang", database_url, 9)
            calls_after_hang, state_after_hang = nlp.requests, _breaker_state(broker_url)

            nlp.set_mode("ok")
            time.sleep(RECOVERY + 0.5)
            _scan(env, tmp_path / "back", database_url, 13)
            state_after_recovery = _breaker_state(broker_url)
        finally:
            worker.stop()

    reasons = _text_runs(database_url)
    assert calls_while_failing == THRESHOLD
    assert state_after_errors is CircuitState.OPEN
    assert all("local model used" in reason for reason in reasons[:9]), reasons
    # Each email tries the service twice: the first email fails twice, the second's
    # first failure opens the breaker and its retry is refused; the rest fail fast.
    assert "ServiceUnavailableError" in reasons[0]
    assert all("CircuitOpenError" in reason for reason in reasons[1:8])
    assert calls_after_hang == THRESHOLD + 1
    assert state_after_hang is CircuitState.OPEN
    assert nlp.requests == THRESHOLD + 1 + 4
    assert state_after_recovery is CircuitState.CLOSED
    assert reasons[9:] == [""] * 4

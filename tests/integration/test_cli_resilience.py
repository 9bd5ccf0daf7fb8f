"""Operators force and reset breakers from the command line; state is shared through Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis

from pipeline.resilience import CircuitBreaker, CircuitState, RedisBreakerStore
from tests.support.processes import phishx_env, run_phishx

pytestmark = pytest.mark.services


def _states(stdout: str) -> dict[str, str]:
    return {row["name"]: row["state"] for row in map(json.loads, stdout.splitlines())}


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
def test_forced_breaker_is_seen_by_every_process(broker_url: str, tmp_path: Path) -> None:
    """A breaker forced open by one command is open for another process until reset."""
    env = phishx_env(broker_url=broker_url, data_dir=str(tmp_path))

    forced = run_phishx(["breakers", "open", "clamd"], env)
    listed = run_phishx(["breakers"], env)
    seen_here = CircuitBreaker("clamd", store=RedisBreakerStore(redis.Redis.from_url(broker_url)))
    state_elsewhere = seen_here.state
    reset = run_phishx(["breakers", "reset", "clamd"], env)

    assert forced.returncode == 0, forced.stderr
    assert _states(listed.stdout)["clamd"] == "forced_open"
    assert state_elsewhere is CircuitState.FORCED_OPEN
    assert _states(reset.stdout)["clamd"] == "closed"
    assert seen_here.state is CircuitState.CLOSED


def test_breaker_action_needs_a_name(tmp_path: Path) -> None:
    """Changing a breaker without naming it is a usage error."""
    result = run_phishx(["breakers", "reset"], phishx_env(data_dir=str(tmp_path)))

    assert result.returncode == 2
    assert "name the breaker" in result.stderr


def test_dead_letters_start_empty(tmp_path: Path) -> None:
    """A fresh database lists no dead letters."""
    result = run_phishx(["dead-letters"], phishx_env(data_dir=str(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""

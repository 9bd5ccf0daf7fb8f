"""Pooled PostgreSQL connections: an idle one broken by the server is replaced unseen."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pipeline.storage import database
from pipeline.storage.database import statement_scope

pytestmark = pytest.mark.services


def _backend_pid(url: str) -> int:
    with statement_scope(url) as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_idle_connection_killed_by_the_server_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the idle threshold, checkout pings and reconnects instead of failing."""
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.05)
    first = _backend_pid(database_url)
    _terminate(database_url, first)
    time.sleep(0.1)

    second = _backend_pid(database_url)

    assert second != first


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_reused_at_once_is_not_pinged_and_a_failure_reconnects(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the threshold there is no ping: a broken connection fails one transaction
    (retried by the caller like any outage) and the pool connects anew for the next."""
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 60.0)
    first = _backend_pid(database_url)
    _terminate(database_url, first)

    with pytest.raises(OperationalError):
        _backend_pid(database_url)
    again = _backend_pid(database_url)

    assert again != first

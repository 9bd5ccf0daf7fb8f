"""Engines and sessions: one engine per database URL per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.resilience import CircuitBreaker, MemoryBreakerStore

_lock = threading.Lock()
_engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _build_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        pool_timeout=10,
        connect_args=_postgres_options() if url.startswith("postgresql") else {},
    )
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A pooled connection idle for longer than this is pinged before use, so that one
# left broken by a server restart is replaced; one used moments ago is not, which
# saves a round trip per transaction under load. A connection that breaks in
# between fails its transaction, which is retried like any database outage.
PING_AFTER_IDLE_S = 1.0


def _note_idle(_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        connection.rollback()
    except Exception as error:  # the pool discards it and connects anew
        raise DisconnectionError(f"stale pooled connection: {type(error).__name__}") from error


def _postgres_options() -> dict[str, Any]:
    """Deadlines on every PostgreSQL connection: connecting, and each statement."""
    return {"connect_timeout": 3, "options": "-c statement_timeout=10000"}


def get_engine(url: str) -> Engine:
    """The process's engine for ``url``, created on first use."""
    return _entry(url)[0]


def _entry(url: str) -> tuple[Engine, sessionmaker[Session]]:
    with _lock:
        if url not in _engines:
            engine = _build_engine(url)
            _engines[url] = (engine, sessionmaker(engine, expire_on_commit=False))
        return _engines[url]


# Connection-level failures open this process's database breaker; while it is open,
# transactions fail fast with CircuitOpenError instead of waiting on connect timeouts.
# It is per process on purpose: whether a host reaches the database is a local fact.
_breaker = CircuitBreaker(
    "database",
    failure_threshold=5,
    recovery_timeout=5.0,
    record_exceptions=(OperationalError, InterfaceError),
    store=MemoryBreakerStore(),
)


def database_breaker() -> CircuitBreaker:
    """The breaker guarding this process's database transactions."""
    return _breaker


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error, behind the breaker."""
    with _breaker.attempt():
        session = _entry(url)[1]()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@contextmanager
def statement_scope(url: str) -> Iterator[Connection]:
    """A connection in autocommit, behind the breaker, for work that is one atomic statement.

    Each statement commits on its own: no BEGIN and COMMIT round trips around it.
    """
    with _breaker.attempt(), _entry(url)[0].connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


def dispose_engines() -> None:
    """Close every pooled connection; call after fork and in tests."""
    with _lock:
        for engine, _ in _engines.values():
            engine.dispose()
        _engines.clear()
    _breaker.reset()

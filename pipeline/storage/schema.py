"""Bring a database to the latest schema with Alembic, safely from many processes."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from pipeline.storage.database import get_engine

MIGRATIONS = Path(__file__).with_name("migrations")
_ADVISORY_LOCK_KEY = 0x70686973  # any constant shared by every PhishX process
_upgraded: set[str] = set()
_lock = threading.Lock()


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply pending migrations once per process; concurrent callers serialise.

    Processes serialise on a PostgreSQL advisory lock, or on a lock file beside a
    SQLite database: two processes migrating a fresh file at once would both try to
    create its tables.
    """
    with _lock:
        if url in _upgraded:
            return
        database = _sqlite_file(url)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        with get_engine(url).connect() as connection, _migration_lock(connection, database):
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        _upgraded.add(url)


@contextmanager
def _migration_lock(connection: Connection, sqlite_file: Path | None) -> Iterator[None]:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK_KEY})
            connection.commit()
    elif sqlite_file is not None:
        with sqlite_file.with_name(sqlite_file.name + ".migrate-lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            yield
    else:
        yield


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite") and not url.endswith(":memory:"):
        return Path(url.split("///", 1)[1])
    return None


def forget_upgrades() -> None:
    """Let :func:`upgrade` run again (tests that drop schemas)."""
    with _lock:
        _upgraded.clear()

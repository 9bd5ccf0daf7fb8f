"""Bring a database to the latest schema with Alembic, safely from many processes."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

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
    """Apply pending migrations once per process; concurrent callers serialise."""
    with _lock:
        if url in _upgraded:
            return
        if url.startswith("sqlite") and not url.endswith(":memory:"):
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = get_engine(url)
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
            try:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK_KEY}
                    )
                    connection.commit()
        _upgraded.add(url)


def forget_upgrades() -> None:
    """Let :func:`upgrade` run again (tests that drop schemas)."""
    with _lock:
        _upgraded.clear()

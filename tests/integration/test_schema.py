"""Migrating one fresh database from several processes at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.support.processes import ROOT

MIGRATE = (
    "import sys; from pipeline.storage.schema import upgrade; upgrade(sys.argv[1]); print('ok')"
)


def test_concurrent_processes_migrate_a_fresh_sqlite_file(tmp_path: Path) -> None:
    """Each process either creates the tables or finds them made; none fails."""
    url = f"sqlite:///{tmp_path / 'fresh' / 'phishx.db'}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outcomes = [process.communicate(timeout=60) for process in processes]

    failures = [err[-500:] for process, (_, err) in zip(processes, outcomes, strict=True)
                if process.returncode != 0]  # fmt: skip
    assert failures == []
    assert all(out.strip() == "ok" for out, _ in outcomes)
    engine = create_engine(url)
    try:
        assert {"messages", "analyses", "stage_runs"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

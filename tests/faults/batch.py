"""A batch of emails for fault tests, and the exactly-once checks on its analyses."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from pipeline.settings import STAGES
from tests.support.mail import email_bytes

ANALYSIS_STAGES = [stage for stage in STAGES if stage != "decide"]
# Limits short enough that an unacknowledged Redis message is redelivered within
# seconds, yet longer than a broker restart, which a task may spend publishing the
# next step of its chain.
FAST_LIMITS = {
    "soft_time_limits": json.dumps(dict.fromkeys(STAGES, 8)),
    "hard_time_limits": json.dumps(dict.fromkeys(STAGES, 12)),
    "visibility_timeout": "15",
    # The sweep looks for stalled analyses often; each waits out the default quiet
    # period (visibility timeout plus the longest hard limit) before a resume.
    "resume_interval": "3",
}


def write_batch(folder: Path, size: int, body_lines: int = 1) -> list[Path]:
    """Write ``size`` distinct small emails."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(size):
        path = folder / f"{index:04}.eml"
        body = "\r\n".join(f"line {line} of message {index}" for line in range(body_lines))
        path.write_bytes(email_bytes(subject=f"Batch {index}", body=body))
        paths.append(path)
    return paths


def query(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Run one read-only query on a fresh connection (the server may have restarted)."""
    engine = create_engine(database_url, pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql)).all()]
    finally:
        engine.dispose()


def finished(database_url: str) -> int:
    """Analyses with a final verdict; 0 while the database is unreachable."""
    try:
        [(count,)] = query(database_url, "SELECT count(*) FROM analyses WHERE status='done'")
    except Exception:
        return 0
    return int(str(count))


def wait_until(predicate: Callable[[], bool], timeout: float, poll: float = 0.25) -> bool:
    """Poll until the predicate holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return False


def assert_exactly_once(database_url: str, size: int) -> None:
    """Every email has one final analysis and one run per analysis stage."""
    analyses = query(database_url, "SELECT status, count(*) FROM analyses GROUP BY status")
    assert analyses == [("done", size)], analyses
    runs = query(
        database_url,
        "SELECT analysis_id, count(*), count(DISTINCT stage) FROM stage_runs GROUP BY analysis_id",
    )
    assert len(runs) == size
    assert {(count, distinct) for _, count, distinct in runs} == {
        (len(ANALYSIS_STAGES), len(ANALYSIS_STAGES))
    }

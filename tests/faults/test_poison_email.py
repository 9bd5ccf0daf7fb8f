"""A poison email that kills its worker process each time: dead-lettered, the rest flows."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.faults.batch import assert_exactly_once, finished, query, wait_until, write_batch
from tests.support.mail import email_bytes
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 10
MAX_DELIVERIES = 2
_DELIVERIES = text(
    "SELECT deliveries, last_worker FROM stage_deliveries"
    " WHERE analysis_id = :key AND stage = 'parse' AND retries = 0"
)


def _poison(path: Path) -> None:
    # Big enough that parsing it takes a while, so the killer catches it at work.
    html = "<p>" + "<b>lure</b> " * 700_000 + "</p>"
    path.write_bytes(email_bytes(subject="Poison", body=html, content_type="text/html"))


class OomKiller:
    """Kills whichever worker process is parsing the poison email, like an OOM killer."""

    def __init__(self, database_url: str, analysis_id: str) -> None:
        self.database_url = database_url
        self.analysis_id = analysis_id
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # One connection polled often: the parse it must interrupt takes about 2 s.
        engine = create_engine(self.database_url)
        seen = 0
        try:
            with engine.connect() as connection:
                while not self._stop.wait(0.02):
                    row = connection.execute(_DELIVERIES, {"key": self.analysis_id}).first()
                    connection.rollback()  # the next poll reads a fresh snapshot
                    if row is None or int(row[0]) <= seen:
                        continue
                    seen = int(row[0])
                    if seen <= MAX_DELIVERIES:
                        os.kill(int(str(row[1]).rsplit(":", 1)[1]), signal.SIGKILL)
                        self.kills += 1
        finally:
            engine.dispose()

    def __enter__(self) -> OomKiller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_poison_email_is_dead_lettered(broker_url: str, database_url: str, tmp_path: Path) -> None:
    """After MAX_DELIVERIES lost workers the stage is dead-lettered and the email held."""
    write_batch(tmp_path / "batch", BATCH)
    _poison(tmp_path / "poison.eml")
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path),
        max_deliveries=str(MAX_DELIVERIES),
        soft_time_limits=json.dumps({"parse": 60}), hard_time_limits=json.dumps({"parse": 90}),
    )  # fmt: skip
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        poison = json.loads(run_phishx(["submit", str(tmp_path / "poison.eml")], env).stdout)
        with OomKiller(database_url, poison["analysis_id"]) as killer:
            run_phishx(["submit", str(tmp_path / "batch")], env)
            complete = wait_until(lambda: finished(database_url) == BATCH + 1, timeout=100)
    finally:
        worker.stop()

    assert killer.kills == MAX_DELIVERIES
    assert complete, f"only {finished(database_url)} of {BATCH + 1} finished"
    assert_exactly_once(database_url, BATCH + 1)
    [(decision, degraded)] = query(
        database_url,
        f"SELECT decision, degraded FROM analyses WHERE id = '{poison['analysis_id']}'",
    )
    assert decision == "QUARANTINE"
    assert "dead-lettered" in str(degraded)
    [(stage, reason)] = query(database_url, "SELECT stage, reason FROM dead_letters")
    assert stage == "parse"
    assert "worker lost 2 times" in str(reason)
    queued = redis.Redis.from_url(broker_url).lrange("dead_letter", 0, -1)
    assert len(queued) == 1
    envelope = json.loads(queued[0])
    record = json.loads(base64.b64decode(envelope["body"]))
    assert record["analysis_id"] == poison["analysis_id"]
    assert record["stage"] == "parse"

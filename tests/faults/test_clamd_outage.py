"""clamd stopped mid-run, then restarted: unscanned attachments are held, then scanning resumes."""

from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults.batch import assert_exactly_once, finished, query, wait_until
from tests.support.clamd import EICAR, SCRIPT, running_clamd
from tests.support.mail import multipart
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

RECOVERY = 2.0


def _with_attachment(folder: Path, name: str, payload: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    part = (
        f'Content-Type: application/octet-stream; name="{name}.bin"\r\n'
        f'Content-Disposition: attachment; filename="{name}.bin"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(payload).decode()}"
    )
    (folder / f"{name}.eml").write_bytes(multipart([part], subject=f"Report {name}"))


def _restart_clamd(workdir: Path, port: int) -> None:
    subprocess.run(["clamd", "-c", str(workdir / "clamd.conf")], check=True, timeout=120)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["bash", str(SCRIPT), "start", str(workdir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip().endswith(f":{port}"):
            return
        time.sleep(0.5)
    raise RuntimeError("clamd did not come back")


def _attachment_runs(database_url: str, prefix: str) -> list[tuple[str, str, str]]:
    return [
        (str(status), str(reason), str(decision))
        for status, reason, decision in query(
            database_url,
            "SELECT r.status, r.degraded_reason, a.decision FROM stage_runs r "
            "JOIN analyses a ON a.id = r.analysis_id "
            f"WHERE r.stage = 'attachments' AND a.message_id LIKE '%{prefix}%' ORDER BY r.id",
        )
    ]


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_clamd_outage_holds_unscanned_mail(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """Scanned before, held as degraded while down, scanned again after the restart."""
    workdir = tmp_path / "clamd"
    for index in range(4):
        _with_attachment(tmp_path / "before", f"before{index}", f"report {index}".encode())
        _with_attachment(tmp_path / "during", f"during{index}", f"data {index}".encode())
        _with_attachment(tmp_path / "after", f"after{index}", f"sheet {index}".encode())
    _with_attachment(tmp_path / "before", "eicar", EICAR)
    with running_clamd(workdir) as (host, port):
        env = phishx_env(
            broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path),
            clamd_address=f"{host}:{port}", breaker_failure_threshold="2",
            breaker_recovery_timeout=str(RECOVERY),
        )  # fmt: skip
        worker = Worker(env, tmp_path / "worker.log", concurrency=1).start()
        try:
            run_phishx(["submit", str(tmp_path / "before")], env)
            assert wait_until(lambda: finished(database_url) == 5, timeout=60)
            subprocess.run(["bash", str(SCRIPT), "stop", str(workdir)], check=True)
            run_phishx(["submit", str(tmp_path / "during")], env)
            assert wait_until(lambda: finished(database_url) == 9, timeout=60)
            _restart_clamd(workdir, port)
            time.sleep(RECOVERY + 0.5)
            run_phishx(["submit", str(tmp_path / "after")], env)
            assert wait_until(lambda: finished(database_url) == 13, timeout=60)
        finally:
            worker.stop()

    assert_exactly_once(database_url, 13)
    detections = query(
        database_url, "SELECT count(*) FROM indicators WHERE name='antivirus_detection'"
    )
    assert detections == [(1,)]
    during = _attachment_runs(database_url, "during")
    assert len(during) == 4
    assert all(status == "degraded" and "antivirus" in reason for status, reason, _ in during)
    assert all(decision in ("QUARANTINE", "REJECT") for _, _, decision in during)
    assert [status for status, _, _ in _attachment_runs(database_url, "after")] == ["ok"] * 4

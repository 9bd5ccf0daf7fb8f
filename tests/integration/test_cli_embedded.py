"""The phishx command on embedded defaults: an in-process worker and SQLite."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.mail import EXAMPLES, email_bytes, example_files, multipart
from tests.support.processes import phishx_env, run_phishx

pytestmark = pytest.mark.slow


def _indicator_names(line: dict[str, Any]) -> set[str]:
    return {item["name"] for item in line["indicators"]}


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_scan_examples_prints_one_verdict_per_email(tmp_path: Path) -> None:
    """Each sample email gets a JSON line with the documented fields."""
    env = phishx_env(data_dir=str(tmp_path))

    result = run_phishx(["scan", str(EXAMPLES)], env)

    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    assert [Path(str(line["path"])).name for line in lines] == [p.name for p in example_files()]
    required = {"path", "sha256", "message_id", "decision", "score", "indicators", "degraded"}
    assert all(required <= line.keys() and "elapsed_ms" in line for line in lines)
    decisions = {Path(str(line["path"])).stem: line["decision"] for line in lines}
    assert decisions["team-update"] == "ALLOW"
    assert decisions["invoice-lure"] in ("QUARANTINE", "REJECT")


def test_table_format_is_for_people(tmp_path: Path) -> None:
    """--format table prints one aligned line per email."""
    env = phishx_env(data_dir=str(tmp_path))

    result = run_phishx(["scan", "--format", "table", str(EXAMPLES / "team-update.eml")], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALLOW")


def test_rescanning_returns_the_stored_analysis(tmp_path: Path) -> None:
    """The same bytes scanned twice give the same analysis id."""
    env = phishx_env(data_dir=str(tmp_path))
    target = str(EXAMPLES / "parcel-exe.eml")

    first = _lines(run_phishx(["scan", target], env).stdout)[0]
    second = _lines(run_phishx(["scan", target], env).stdout)[0]

    assert first["analysis_id"] == second["analysis_id"]
    assert first["decision"] == second["decision"]


def _bad_inputs(folder: Path) -> dict[str, bytes]:
    broken = 'Content-Type: application/pdf; name="x.pdf"\r\nContent-Transfer-Encoding: base64'
    parts = [f"Content-Type: text/plain\r\n\r\npart {index}" for index in range(1000)]
    return {
        "empty.eml": b"",
        "binary.eml": bytes(range(256)) * 64,
        "huge.eml": email_bytes(body=("A" * 998 + "\r\n") * 52_000),
        "thousand-parts.eml": multipart(parts),
        "broken-base64.eml": multipart([f"{broken}\r\n\r\n%%%{base64.b64encode(b'x').decode()}"]),
        "klingon.eml": email_bytes(body="qapla\xe9", content_type="text/plain; charset=x-tlh"),
        "nul.eml": email_bytes(body="a\x00b\x00c"),
    }


def test_bad_input_gets_a_verdict_and_spares_the_rest(tmp_path: Path) -> None:
    """Hostile files each get a stored analysis; a missing path is a clear error."""
    folder = tmp_path / "mail"
    folder.mkdir()
    for name, data in _bad_inputs(folder).items():
        (folder / name).write_bytes(data)
    good = EXAMPLES / "team-update.eml"
    env = phishx_env(data_dir=str(tmp_path / "data"))

    result = run_phishx(["scan", str(folder), str(tmp_path / "missing.eml"), str(good)], env)

    assert result.returncode == 2
    assert "missing.eml" in result.stderr
    assert "Traceback" not in result.stderr
    verdicts = {Path(str(line["path"])).name: line for line in _lines(result.stdout)}
    assert set(verdicts) == {*_bad_inputs(folder), "team-update.eml"}
    assert all(line.get("status") == "done" for line in verdicts.values())
    names = {key: _indicator_names(line) for key, line in verdicts.items()}
    assert "error_empty_message" in names["empty.eml"]
    assert "error_not_an_email" in names["binary.eml"]
    assert "error_message_too_large" in names["huge.eml"]
    assert "mime_part_limit" in names["thousand-parts.eml"]
    assert "malformed_mime" in names["broken-base64.eml"]
    assert "malformed_mime" in names["klingon.eml"]
    assert "nul_bytes" in names["nul.eml"]
    assert verdicts["huge.eml"]["decision"] == "QUARANTINE"
    assert verdicts["team-update.eml"]["decision"] == "ALLOW"


def test_show_prints_a_stored_analysis(tmp_path: Path) -> None:
    """phishx show finds an analysis by id and by sha256; an unknown id exits 2."""
    env = phishx_env(data_dir=str(tmp_path))
    scanned = _lines(run_phishx(["scan", str(EXAMPLES / "invoice-lure.eml")], env).stdout)[0]

    by_id = run_phishx(["show", str(scanned["analysis_id"])], env)
    by_digest = run_phishx(["show", str(scanned["sha256"])], env)
    unknown = run_phishx(["show", "no-such-analysis"], env)

    assert json.loads(by_id.stdout)["decision"] == scanned["decision"]
    assert json.loads(by_digest.stdout)["analysis_id"] == scanned["analysis_id"]
    assert len(json.loads(by_id.stdout)["stages"]) == 5
    assert unknown.returncode == 2
    assert "no analysis" in unknown.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    """An unknown option is a usage error."""
    result = run_phishx(["scan", "--no-such-flag"], phishx_env(data_dir=str(tmp_path)))

    assert result.returncode == 2

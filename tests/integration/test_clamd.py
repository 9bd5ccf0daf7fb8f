"""clamd over INSTREAM with a real daemon on loopback and an EICAR signature database."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.analyzers import attachments
from pipeline.analyzers.base import AnalysisContext
from pipeline.message import parse_message
from pipeline.services.clamd import ClamdClient
from tests.support.clamd import EICAR, running_clamd
from tests.support.mail import multipart

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdClient]:
    """A client of a clamd started for this module."""
    workdir: Path = tmp_path_factory.mktemp("clamd")
    with running_clamd(workdir) as (host, port):
        yield ClamdClient(host, port, read_timeout=30)


def test_eicar_is_found(clamd: ClamdClient) -> None:
    """The EICAR test file is reported with its signature name."""
    signature = clamd.scan(EICAR)

    assert signature is not None
    assert "EICAR" in signature.upper()


def test_clean_bytes_pass(clamd: ClamdClient) -> None:
    """Ordinary content is clean."""
    assert clamd.scan(b"quarterly report, nothing to see" * 1000) is None


def test_payload_of_many_chunks_is_accepted(clamd: ClamdClient) -> None:
    """A payload several INSTREAM chunks long gets a verdict, and clamd still answers."""
    assert clamd.scan(b"\x00" * (300 * 1024)) is None
    assert clamd.ping()


def test_attachment_stage_reports_the_detection(clamd: ClamdClient) -> None:
    """An EICAR attachment becomes an antivirus_detection indicator with the sha256."""
    part = (
        'Content-Type: application/octet-stream; name="test.com"\r\n'
        'Content-Disposition: attachment; filename="test.com"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(EICAR).decode()
    )
    message = parse_message(multipart(["Content-Type: text/plain\r\n\r\nhi", part]))

    outcome = attachments.analyze(message, AnalysisContext(antivirus=clamd))

    detections = [item for item in outcome.indicators if item.name == "antivirus_detection"]
    assert detections
    assert "sha256=" in detections[0].evidence

"""Attachments: true types, double extensions, archives, documents and limits."""

from __future__ import annotations

import time

from pipeline.analyzers import attachments
from tests.unit.analyzers.files import (
    PDF_WITH_JS,
    PE_HEADER,
    SMUGGLING_HTML,
    attachment_email,
    encrypted_zip,
    zip_bomb,
    zip_of,
)
from tests.unit.analyzers.helpers import names, run


def test_disguised_executable_with_double_extension() -> None:
    """invoice.pdf.exe with a PE header is an executable with a double extension."""
    outcome = run(attachments.analyze, attachment_email("invoice.pdf.exe", PE_HEADER))

    assert {"attachment_executable", "attachment_double_extension"} <= names(outcome)


def test_name_that_lies_about_the_content() -> None:
    """A .pdf whose bytes are a Windows program is a type mismatch."""
    outcome = run(attachments.analyze, attachment_email("statement.pdf", PE_HEADER))

    assert {"attachment_type_mismatch", "attachment_executable"} <= names(outcome)


def test_evidence_carries_the_sha256() -> None:
    """Every attachment indicator names the part's digest."""
    outcome = run(attachments.analyze, attachment_email("run.js", b"WScript.Echo(1)"))

    assert all("sha256=" in item.evidence for item in outcome.indicators)


def test_script_and_shortcut_files() -> None:
    """Scripts and shortcuts are flagged by extension."""
    assert "attachment_script" in names(run(attachments.analyze, attachment_email("a.vbs", b"x")))
    assert "attachment_shortcut" in names(run(attachments.analyze, attachment_email("a.lnk", b"x")))


def test_executable_inside_a_zip() -> None:
    """Members of a zip are inspected like attachments."""
    archive = zip_of({"docs/readme.txt": b"hello", "docs/setup.scr": PE_HEADER})

    outcome = run(attachments.analyze, attachment_email("docs.zip", archive))

    assert "attachment_executable" in names(outcome)
    assert any("setup.scr" in item.evidence for item in outcome.indicators)


def test_password_protected_zip_is_flagged() -> None:
    """An encrypted member cannot be inspected, which is itself a lure tactic."""
    outcome = run(attachments.analyze, attachment_email("secure.zip", encrypted_zip("a.exe", b"x")))

    assert "archive_encrypted" in names(outcome)


def test_zip_bomb_stops_at_the_limits_quickly() -> None:
    """A nested compression bomb hits a limit within a bounded time, without a crash."""
    bomb = zip_bomb()
    started = time.perf_counter()

    outcome = run(attachments.analyze, attachment_email("bomb.zip", bomb))

    assert "archive_limit" in names(outcome)
    assert time.perf_counter() - started < 20


def test_pdf_with_javascript_and_links() -> None:
    """JavaScript actions and link annotations in a PDF are reported."""
    outcome = run(attachments.analyze, attachment_email("doc.pdf", PDF_WITH_JS, "application/pdf"))

    assert {"pdf_javascript", "pdf_links"} <= names(outcome)


def test_html_attachment_smuggling_a_file() -> None:
    """An HTML page that assembles a download and asks for a password is flagged."""
    outcome = run(attachments.analyze, attachment_email("view.html", SMUGGLING_HTML, "text/html"))

    assert {"attachment_html_smuggling", "attachment_html_form"} <= names(outcome)


def test_corrupt_office_and_pdf_files_do_not_crash() -> None:
    """Garbage named like documents yields indicators or nothing, never an exception."""
    corrupt_ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600
    for name, data in (
        ("a.doc", corrupt_ole),
        ("b.docm", b"PK\x03\x04garbage"),
        ("c.pdf", b"%PDF-"),
    ):
        outcome = run(attachments.analyze, attachment_email(name, data))

        assert not outcome.degraded


def test_plain_image_is_quiet() -> None:
    """An ordinary PNG attachment produces no indicator."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    assert (
        run(attachments.analyze, attachment_email("photo.png", png, "image/png")).indicators == []
    )

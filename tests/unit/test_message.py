"""Parsing raw bytes into a message: leniency, limits and defects."""

from __future__ import annotations

import base64

from pipeline.charsets import decode_header_value
from pipeline.message import ParseLimits, parse_message
from tests.support.mail import email_bytes, multipart


def test_reads_addresses_subject_and_body() -> None:
    """Headers and the plain body come out decoded."""
    raw = email_bytes(subject="=?utf-8?q?Caf=C3=A9_menu?=", body="Lunch at noon.")

    message = parse_message(raw)

    assert message.subject == "Café menu"
    assert message.from_ is not None
    assert message.from_.domain == "example.com"
    assert message.text_body.strip() == "Lunch at noon."
    assert message.defects == []


def test_line_endings_do_not_change_the_parse() -> None:
    """LF and CRLF versions of one email parse to the same content."""
    crlf = email_bytes(body="Line one\r\nLine two")
    lf = crlf.replace(b"\r\n", b"\n")

    first, second = parse_message(crlf), parse_message(lf)

    assert first.subject == second.subject
    assert first.text_body.splitlines() == second.text_body.splitlines()


def test_leading_mbox_from_line_is_ignored() -> None:
    """A single email saved with an mbox separator still parses."""
    raw = b"From alice@example.com Tue Dec  1 10:00:00 2026\n" + email_bytes(subject="Mbox")

    message = parse_message(raw)

    assert message.subject == "Mbox"
    assert "not_an_email" not in message.defects


def test_html_body_yields_visible_text_and_links() -> None:
    """Anchors keep their visible text; scripts are not visible text."""
    html = '<p>Hi</p><script>var x=1;</script><a href="http://198.51.100.7/x">Log in</a>'
    raw = email_bytes(body=html, content_type="text/html; charset=utf-8")

    message = parse_message(raw)

    assert message.html is not None
    assert "var x" not in message.visible_text
    assert [(link.url, link.text) for link in message.links] == [
        ("http://198.51.100.7/x", "Log in")
    ]


def test_attachment_type_is_sniffed_from_content() -> None:
    """A part named .pdf whose bytes are a Windows executable is typed by its bytes."""
    payload = base64.b64encode(b"MZ" + b"\x00" * 100).decode()
    part = (
        'Content-Type: application/pdf; name="a.pdf"\r\n'
        'Content-Disposition: attachment; filename="a.pdf"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{payload}"
    )

    message = parse_message(multipart([part]))

    [attachment] = message.attachments
    assert attachment.filename == "a.pdf"
    assert attachment.declared_type == "application/pdf"
    assert attachment.sniffed_type == "application/x-msdownload"
    assert len(attachment.sha256) == 64


def test_empty_input_is_a_defect() -> None:
    """Empty bytes give an empty_message defect, not an exception."""
    message = parse_message(b"")

    assert message.defects == ["empty_message"]


def test_bytes_that_are_not_an_email_are_flagged() -> None:
    """Random binary data is marked as not an email."""
    message = parse_message(bytes(range(1, 256)) * 40)

    assert "not_an_email" in message.defects


def test_oversized_message_is_not_parsed() -> None:
    """Input above the size limit is flagged and left unparsed."""
    raw = email_bytes(body="x" * 5000)

    message = parse_message(raw, ParseLimits(max_bytes=1000))

    assert message.defects == ["message_too_large"]
    assert message.text_body == ""


def test_part_count_is_bounded() -> None:
    """A 1,000-part tree stops at the part limit with a defect."""
    parts = [f"Content-Type: text/plain\r\n\r\npart {index}" for index in range(1000)]

    message = parse_message(multipart(parts), ParseLimits(max_parts=50))

    assert "mime_part_limit" in message.defects
    assert message.part_count <= 51


def test_nesting_depth_is_bounded() -> None:
    """Deeply nested multiparts stop at the depth limit with a defect."""
    inner = "Content-Type: text/plain\r\n\r\ndeep"
    for level in range(30):
        inner = (
            f'Content-Type: multipart/mixed; boundary="n{level}"\r\n\r\n'
            f"--n{level}\r\n{inner}\r\n--n{level}--"
        )

    message = parse_message(multipart([inner]), ParseLimits(max_depth=10))

    assert "mime_depth_limit" in message.defects


def test_broken_base64_is_survived() -> None:
    """Invalid base64 gives a defect and whatever could be decoded."""
    part = (
        'Content-Type: application/octet-stream; name="x.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64@@@"
    )

    message = parse_message(multipart([part]))

    assert len(message.attachments) == 1
    assert any("base64" in defect for defect in message.defects)


def test_unknown_charset_falls_back() -> None:
    """A body in an unknown charset is decoded leniently and flagged."""
    raw = email_bytes(body="caf\xe9", content_type="text/plain; charset=x-klingon")

    message = parse_message(raw)

    assert "unknown_charset" in message.defects
    assert "caf" in message.text_body


def test_nul_bytes_are_removed_and_flagged() -> None:
    """NUL bytes do not stop parsing."""
    raw = email_bytes(subject="Null\x00s", body="a\x00b")

    message = parse_message(raw)

    assert "nul_bytes" in message.defects
    assert message.subject == "Nulls"


def test_raw_eight_bit_header_is_decoded() -> None:
    """A header with raw Latin-1 bytes becomes readable text."""
    assert decode_header_value("Caf\udce9") == "Café"

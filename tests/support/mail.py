"""Small emails built in tests, and the project's sample emails."""

from __future__ import annotations

import hashlib
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def email_bytes(
    subject: str = "Hello",
    body: str = "Just a note.",
    sender: str = "Alice <alice@example.com>",
    extra_headers: str = "",
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    """A minimal single-part email."""
    text = (
        f"From: {sender}\r\nTo: bob@example.org\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{_digest(body)}@example.com>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n{extra_headers}\r\n{body}\r\n"
    )
    return text.encode("utf-8")


def multipart(parts: list[str], boundary: str = "b0", subject: str = "Parts") -> bytes:
    """A multipart/mixed email from pre-rendered parts (headers, blank line, body)."""
    head = (
        f"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
        f"Message-ID: <{_digest(subject)}.{subject.replace(' ', '-')}@example.com>\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
    )
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return (head + body).encode("utf-8")


def example_files() -> list[Path]:
    """The sample emails shipped under examples/."""
    return sorted(EXAMPLES.glob("*.eml"))

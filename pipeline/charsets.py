"""Text from the bytes and header words of real mail, decoded leniently."""

from __future__ import annotations

import re
from email.header import decode_header

# Bytes that were not ASCII, carried in a str by the surrogateescape error handler.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def decode_header_value(value: str) -> str:
    """Decode RFC 2047 words and raw 8-bit bytes in a header into text."""
    if value.isascii() and "=?" not in value:  # nothing encoded: the common case
        return " ".join(value.split())
    if _ESCAPED_BYTE.search(value):
        value = bytes_to_text(value.encode("ascii", "surrogateescape"), None)
    try:
        pieces = decode_header(value)
    except (ValueError, LookupError):
        return " ".join(value.split())
    words: list[str] = []
    for chunk, charset in pieces:
        words.append(bytes_to_text(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(words).split())


def bytes_to_text(data: bytes, charset: str | None) -> str:
    """``data`` decoded as ``charset``, else UTF-8, else Windows-1252 with replacements."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")

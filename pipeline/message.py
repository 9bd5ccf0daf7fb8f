"""Raw bytes to a parsed message: headers, bodies, attachments and links.

Parsing is lenient (legacy charsets, LF or CRLF, a leading mbox ``From `` line,
broken encodings) and bounded (total size, MIME depth, part count). Problems
become entries in ``ParsedMessage.defects``; :func:`parse_message` never raises
on bad input.
"""

from __future__ import annotations

import email
import email.message
import hashlib
import re
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr

from pipeline.charsets import bytes_to_text, decode_header_value
from pipeline.filetypes import sniff
from pipeline.html_text import HtmlDocument, parse_html
from pipeline.links import Link, links_from_html, links_from_text

_BRACKETED = re.compile(r"<([^<>\s@]+@[^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Bounds that keep hostile input from costing unbounded time or memory."""

    max_bytes: int = 25 * 1024 * 1024
    max_depth: int = 20
    max_parts: int = 300
    max_body_chars: int = 2_000_000
    max_links: int = 500


@dataclass(frozen=True, slots=True)
class Address:
    """A mailbox from an address header."""

    display_name: str
    address: str

    @property
    def domain(self) -> str:
        """The lower-cased domain part, or an empty string."""
        _, _, domain = self.address.rpartition("@")
        return domain.strip().strip(">").lower()


@dataclass(slots=True)
class Attachment:
    """A non-body MIME part, with what it claims to be and what its bytes say."""

    filename: str
    declared_type: str
    sniffed_type: str
    size: int
    sha256: str
    content: bytes = field(repr=False)
    inline: bool = False


@dataclass(slots=True)
class ParsedMessage:
    """Everything the analyzers read from one email."""

    sha256: str
    size: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    from_: Address | None = None
    # The From header's own mailbox syntax was unreadable; ``from_`` then holds the
    # address recovered from its angle brackets, if it has one.
    from_unparsed: bool = False
    reply_to: list[Address] = field(default_factory=list)
    return_path: str = ""
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    message_id: str = ""
    date: str = ""
    text_body: str = ""
    html_body: str = ""
    html: HtmlDocument | None = None
    attachments: list[Attachment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    mime_depth: int = 0
    part_count: int = 0
    raw: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively, or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_all(self, name: str) -> list[str]:
        """Every value of a header, in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def visible_text(self) -> str:
        """The text a reader sees: the plain body, else the HTML's visible text."""
        if self.text_body.strip():
            return self.text_body
        return self.html.text if self.html else ""


def parse_message(raw: bytes, limits: ParseLimits | None = None) -> ParsedMessage:
    """Parse raw RFC 5322 bytes; problems are recorded as defects, never raised."""
    limits = limits or ParseLimits()
    parsed = ParsedMessage(sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), raw=raw)
    if not raw.strip():
        parsed.defects.append("empty_message")
        return parsed
    if len(raw) > limits.max_bytes:
        parsed.defects.append("message_too_large")
        return parsed
    if b"\x00" in raw:
        parsed.defects.append("nul_bytes")
        raw = raw.replace(b"\x00", b"")

    message = email.message_from_bytes(_strip_mbox_line(raw))
    _read_headers(message, parsed)
    if not _looks_like_email(parsed):
        parsed.defects.append("not_an_email")
    _walk(message, parsed, limits, depth=0)
    _collect_links(parsed, limits)
    return parsed


def _strip_mbox_line(raw: bytes) -> bytes:
    if raw.startswith(b"From "):
        _, _, rest = raw.partition(b"\n")
        return rest
    return raw


def _looks_like_email(parsed: ParsedMessage) -> bool:
    names = {key.lower() for key, _ in parsed.headers}
    essential = {"from", "to", "subject", "date", "message-id", "received", "mime-version"}
    return len(names & essential) >= 2


def _read_headers(message: email.message.Message, parsed: ParsedMessage) -> None:
    parsed.headers = [(str(key), decode_header_value(str(value))) for key, value in message.items()]
    parsed.subject = parsed.header("Subject") or ""
    parsed.message_id = (parsed.header("Message-ID") or "").strip()
    parsed.date = parsed.header("Date") or ""
    parsed.return_path = (parsed.header("Return-Path") or "").strip().strip("<>").strip()
    from_value = parsed.header("From")
    if from_value:
        parsed.from_, parsed.from_unparsed = _from_address(from_value)
    sender_value = parsed.header("Sender")
    parsed.sender = _one_address(sender_value) if sender_value else None
    parsed.reply_to = _addresses(parsed.header_all("Reply-To"))
    parsed.to = _addresses(parsed.header_all("To"))
    if message.defects:
        parsed.defects.extend(_defect_name(defect) for defect in message.defects)


def _from_address(value: str) -> tuple[Address, bool]:
    """The From mailbox, and whether its syntax had to be worked around.

    An unquoted comma or ``@`` in a display name (``Team, <a@b.example>``,
    ``"shop@brand.example", <a@b.example>``) makes the header unreadable as one
    mailbox. The bracketed address is the one a mail client sends from and replies
    to, so it is the sender; the text before it is the display name.
    """
    address = _one_address(value)
    bracketed = _BRACKETED.search(value)
    if bracketed is None:
        return address, "@" not in address.address
    if bracketed.group(1).strip() == address.address:
        return address, False
    name = value[: bracketed.start()].strip().strip(",").strip().strip('"').strip()
    return Address(name, bracketed.group(1).strip()), True


def _one_address(value: str) -> Address:
    name, address = parseaddr(value)
    return Address(name.strip(), address.strip())


def _addresses(values: list[str]) -> list[Address]:
    try:
        pairs = getaddresses(values)
    except (ValueError, IndexError):
        return []
    return [Address(name.strip(), addr.strip()) for name, addr in pairs if addr]


def _defect_name(defect: object) -> str:
    name = type(defect).__name__
    return "mime_" + "".join("_" + c.lower() if c.isupper() else c for c in name).strip("_")


def _walk(
    part: email.message.Message, parsed: ParsedMessage, limits: ParseLimits, depth: int
) -> None:
    parsed.part_count += 1
    parsed.mime_depth = max(parsed.mime_depth, depth)
    if parsed.part_count > limits.max_parts:
        if "mime_part_limit" not in parsed.defects:
            parsed.defects.append("mime_part_limit")
        return
    if depth > limits.max_depth:
        if "mime_depth_limit" not in parsed.defects:
            parsed.defects.append("mime_depth_limit")
        return
    if depth and part.defects:
        parsed.defects.extend(_defect_name(defect) for defect in part.defects)
    if part.is_multipart():
        children = part.get_payload()
        for child in children if isinstance(children, list) else []:
            if parsed.part_count > limits.max_parts:
                break
            if isinstance(child, email.message.Message):
                _walk(child, parsed, limits, depth + 1)
        return
    _read_leaf(part, parsed, limits)


def _read_leaf(part: email.message.Message, parsed: ParsedMessage, limits: ParseLimits) -> None:
    content_type = part.get_content_type().lower()
    filename = _filename(part)
    disposition = (part.get_content_disposition() or "").lower()
    payload = _payload_bytes(part, parsed)
    is_body = not filename and disposition != "attachment"
    if is_body and content_type == "text/plain":
        parsed.text_body = _append(parsed.text_body, _decode_text(part, payload, parsed), limits)
    elif is_body and content_type == "text/html":
        parsed.html_body = _append(parsed.html_body, _decode_text(part, payload, parsed), limits)
    elif content_type == "message/rfc822" and not payload:
        return
    else:
        parsed.attachments.append(
            Attachment(
                filename=filename,
                declared_type=content_type,
                sniffed_type=sniff(payload),
                size=len(payload),
                sha256=hashlib.sha256(payload).hexdigest(),
                content=payload,
                inline=disposition == "inline",
            )
        )


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except (ValueError, LookupError, TypeError):
        return ""
    if isinstance(name, tuple):
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(str(name))


_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"


def _payload_bytes(part: email.message.Message, parsed: ParsedMessage) -> bytes:
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        encoded = part.get_payload(decode=False)
        if isinstance(encoded, str):
            leftover = encoded.encode("ascii", "surrogateescape").translate(None, _BASE64_ALPHABET)
            if leftover and "invalid_base64" not in parsed.defects:
                parsed.defects.append("invalid_base64")
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, LookupError, TypeError, AssertionError):
        parsed.defects.append("undecodable_payload")
        return b""
    if isinstance(payload, bytes):
        return payload
    return b""


def _decode_text(part: email.message.Message, payload: bytes, parsed: ParsedMessage) -> str:
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset)
        except LookupError:
            parsed.defects.append("unknown_charset")
        except UnicodeDecodeError:
            parsed.defects.append("charset_mismatch")
    return bytes_to_text(payload, None)


def _append(existing: str, addition: str, limits: ParseLimits) -> str:
    combined = f"{existing}\n{addition}" if existing else addition
    return combined[: limits.max_body_chars]


def _collect_links(parsed: ParsedMessage, limits: ParseLimits) -> None:
    if parsed.html_body:
        parsed.html = parse_html(parsed.html_body, max_links=limits.max_links)
        parsed.links.extend(links_from_html(parsed.html))
    parsed.links.extend(links_from_text(parsed.text_body, limits.max_links))
    del parsed.links[limits.max_links :]

"""Attachment analysis: dangerous types, disguised types and antivirus results."""

from __future__ import annotations

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import Attachment, ParsedMessage

EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "scr", "com", "pif", "bat", "cmd", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta",
     "ps1", "msi", "jar", "lnk", "cpl", "dll", "reg", "iso", "img", "vhd", "vhdx", "appx"}
)  # fmt: skip
_EXECUTABLE_TYPES = frozenset(
    {"application/x-msdownload", "application/x-elf", "application/x-mach-binary",
     "application/x-ms-shortcut"}
)  # fmt: skip
_DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "txt", "jpg", "png"})


def extension(filename: str) -> str:
    """The lower-cased final extension, without the dot."""
    _, dot, ext = filename.rpartition(".")
    return ext.lower().strip() if dot else ""


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Inspect each attachment by name and by content; scan with antivirus if configured."""
    outcome = StageOutcome()
    for attachment in message.attachments:
        _inspect(attachment, outcome)
        if context.antivirus is not None and attachment.content:
            signature = context.antivirus.scan(attachment.content)
            if signature:
                outcome.add("antivirus_detection", 100.0, f"{attachment.filename}: {signature}")
    return outcome


def _inspect(attachment: Attachment, outcome: StageOutcome) -> None:
    name = attachment.filename or "(unnamed)"
    ext = extension(attachment.filename)
    if ext in EXECUTABLE_EXTENSIONS:
        outcome.add("executable_attachment", 40.0, f"{name} ({attachment.sniffed_type})")
    elif attachment.sniffed_type in _EXECUTABLE_TYPES:
        outcome.add("disguised_executable", 50.0, f"{name} is really {attachment.sniffed_type}")
    inner = extension(attachment.filename.rsplit(".", 1)[0]) if ext else ""
    if inner in _DOCUMENT_EXTENSIONS and ext in EXECUTABLE_EXTENSIONS:
        outcome.add("double_extension", 30.0, name)
    if attachment.sniffed_type == "text/html" or ext in ("html", "htm", "shtml", "svg"):
        outcome.add("html_attachment", 20.0, name)

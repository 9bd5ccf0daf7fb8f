"""The attachment stage: true types, archives, active documents and antivirus.

Every indicator names the part and its sha256, so analysts can look the file up.
Content is only read in memory; nothing is written to disk or run.
"""

from __future__ import annotations

import logging

from pipeline.analyzers.archives import ArchiveLimits, expand, is_ooxml
from pipeline.analyzers.attachment_types import (
    ARCHIVE_EXTENSIONS,
    HTML_EXTENSIONS,
    check_name_and_type,
    extension,
)
from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.documents import check_html_file, check_office, check_pdf
from pipeline.errors import CircuitOpenError, PhishXError
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 30
_OPENED_ARCHIVES = ("application/zip", "application/gzip")
_OTHER_ARCHIVES = frozenset(
    {"application/vnd.rar", "application/x-7z-compressed", "application/vnd.ms-cab-compressed",
     "application/x-bzip2", "application/x-xz"}
)  # fmt: skip
_OFFICE_EXTENSIONS = frozenset(
    {"doc", "docm", "docx", "dot", "dotm", "xls", "xlsm", "xlsb", "xlsx", "xlam", "ppt",
     "pptm", "pptx", "rtf"}
)  # fmt: skip

__all__ = ["analyze", "extension"]


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Inspect each attachment by name and content; scan with antivirus if configured."""
    outcome = StageOutcome()
    for attachment in message.attachments[:MAX_ATTACHMENTS]:
        name = attachment.filename or "(unnamed)"
        label = f"{name} sha256={attachment.sha256}"
        inspect_file(name, attachment.content, attachment.sniffed_type, label, outcome)
        if context.antivirus is not None and attachment.content:
            _scan(context, attachment.content, label, outcome)
    return outcome


def inspect_file(
    name: str, content: bytes, sniffed: str, label: str, outcome: StageOutcome
) -> None:
    """Name, type and content checks for one file (an attachment or an archive member)."""
    check_name_and_type(name, sniffed, label, outcome)
    ext = extension(name)
    if sniffed in _OPENED_ARCHIVES and not is_ooxml(content):
        _inspect_archive(content, sniffed, label, outcome)
    elif sniffed in _OTHER_ARCHIVES or ext in ARCHIVE_EXTENSIONS - {"zip", "gz"}:
        outcome.add("attachment_archive_unopened", 15.0, f"{label}: {sniffed}")
    if sniffed == "application/x-ole-storage" or ext in _OFFICE_EXTENSIONS or is_ooxml(content):
        check_office(content, label, outcome)
    if sniffed == "application/pdf":
        check_pdf(content, label, outcome)
    if sniffed in ("text/html", "image/svg+xml") or ext in HTML_EXTENSIONS:
        check_html_file(content, label, outcome)


def _inspect_archive(content: bytes, sniffed: str, label: str, outcome: StageOutcome) -> None:
    expansion = expand(content, sniffed, ArchiveLimits())
    outcome.add("attachment_archive", 5.0, f"{label}: {len(expansion.members)} member(s)")
    if expansion.encrypted:
        outcome.add("archive_encrypted", 30.0, f"{label}: {expansion.encrypted[0]}")
    for problem in expansion.problems[:1]:
        outcome.add("archive_limit", 25.0, f"{label}: {problem}")
    for member in expansion.members[:50]:
        member_label = f"{label} > {member.path}"
        check_name_and_type(member.path, member.sniffed_type, member_label, outcome)
        _inspect_member(member.path, member.content, member.sniffed_type, member_label, outcome)


def _inspect_member(name: str, content: bytes, sniffed: str, label: str, out: StageOutcome) -> None:
    ext = extension(name)
    if sniffed == "application/x-ole-storage" or ext in _OFFICE_EXTENSIONS:
        check_office(content, label, out)
    if sniffed == "application/pdf":
        check_pdf(content, label, out)
    if sniffed in ("text/html", "image/svg+xml") or ext in HTML_EXTENSIONS:
        check_html_file(content, label, out)


def _scan(context: AnalysisContext, content: bytes, label: str, outcome: StageOutcome) -> None:
    assert context.antivirus is not None
    try:
        signature = context.antivirus.scan(content)
    except CircuitOpenError:
        outcome.degrade("antivirus circuit open; attachments not scanned")
        return
    except PhishXError as error:
        log.warning("antivirus_failed error=%s", type(error).__name__)
        outcome.degrade(f"antivirus unavailable: {type(error).__name__}")
        return
    if signature:
        outcome.add("antivirus_detection", 100.0, f"{label}: {signature}")

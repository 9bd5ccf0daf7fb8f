"""Active content in documents: Office macros, PDF actions, HTML pages sent as files.

Note:
    oletools parses hostile files in-process; a file it cannot parse becomes an
    ``attachment_unparsable`` indicator. PDF checks read raw object keywords and miss
    content hidden inside compressed object streams.
"""

from __future__ import annotations

import logging
import re

from oletools.olevba import VBA_Parser

from pipeline.html_text import parse_html
from pipeline.indicators import StageOutcome

log = logging.getLogger(__name__)

MAX_OFFICE_BYTES = 10 * 1024 * 1024
MAX_PDF_SCAN_BYTES = 5 * 1024 * 1024
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|XFA|SubmitForm)\b")
_PDF_URI = re.compile(rb"/URI\s*\(([^)]{4,300})\)")
_SMUGGLING = re.compile(
    r"new\s+Blob\s*\(|msSaveOrOpenBlob|URL\.createObjectURL|\.download\s*=|data:application/",
    re.IGNORECASE,
)


def check_office(content: bytes, label: str, outcome: StageOutcome) -> None:
    """VBA or XLM macros, and auto-executing or suspicious macro keywords."""
    if len(content) > MAX_OFFICE_BYTES:
        outcome.add("attachment_unscanned", 5.0, f"{label}: too large for macro analysis")
        return
    try:
        parser = VBA_Parser("attachment", data=content, relaxed=True)
    except Exception as error:  # oletools raises bare Exception subclasses on bad input
        log.info("office_unparsable error=%s", type(error).__name__)
        return
    try:
        _report_macros(parser, label, outcome)
    except Exception as error:  # hostile files can break any oletools step
        outcome.add("attachment_unparsable", 10.0, f"{label}: {type(error).__name__}")
    finally:
        parser.close()


def _report_macros(parser: VBA_Parser, label: str, outcome: StageOutcome) -> None:
    if parser.detect_is_encrypted():
        outcome.add("office_encrypted", 25.0, label)
    if not parser.detect_macros():
        return
    outcome.add("office_macros", 35.0, label)
    kinds: dict[str, list[str]] = {}
    for kind, keyword, _ in parser.analyze_macros() or []:
        kinds.setdefault(str(kind), []).append(str(keyword))
    if "AutoExec" in kinds:
        outcome.add("office_macro_autoexec", 25.0, f"{label}: {', '.join(kinds['AutoExec'][:4])}")
    if "Suspicious" in kinds:
        words = ", ".join(kinds["Suspicious"][:5])
        outcome.add("office_macro_suspicious", 20.0, f"{label}: {words}")


def check_pdf(content: bytes, label: str, outcome: StageOutcome) -> None:
    """JavaScript, launch and submit actions, embedded files and links in a PDF."""
    head = content[:MAX_PDF_SCAN_BYTES]
    actions = sorted({match.decode("ascii") for match in _PDF_ACTIVE.findall(head)})
    if {"JavaScript", "JS"} & set(actions):
        outcome.add("pdf_javascript", 35.0, label)
    risky = [name for name in actions if name in ("Launch", "EmbeddedFile", "SubmitForm", "XFA")]
    if risky:
        outcome.add("pdf_active_content", 25.0, f"{label}: {', '.join(risky)}")
    links = _PDF_URI.findall(head)
    if links:
        first = links[0].decode("latin-1", "replace")[:80]
        outcome.add("pdf_links", 10.0, f"{label}: {len(links)} link(s), first {first}")


def check_html_file(content: bytes, label: str, outcome: StageOutcome) -> None:
    """Forms, refreshes and file smuggling in an HTML or SVG attachment."""
    markup = content[:2_000_000].decode("utf-8", errors="replace")
    document = parse_html(markup, max_links=200)
    outcome.add("attachment_html", 20.0, label)
    if document.password_inputs or document.forms:
        outcome.add("attachment_html_form", 35.0, f"{label}: {document.forms} form(s)")
    if document.meta_refresh or any(link.tag in ("script", "onclick") for link in document.links):
        outcome.add("attachment_html_redirect", 30.0, label)
    if _SMUGGLING.search(markup) or document.script_obfuscation >= 2:
        outcome.add("attachment_html_smuggling", 40.0, label)

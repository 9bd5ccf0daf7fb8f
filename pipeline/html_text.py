"""HTML to visible text and hyperlinks, with the standard library's tolerant parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_INVISIBLE = frozenset({"script", "style", "head", "title", "template", "noscript"})
_BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "td", "table"})
_URL_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "form": ("action",),
    "img": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "button": ("formaction",),
    "input": ("formaction",),
    "link": ("href",),
    "base": ("href",),
    "td": ("background",),
    "table": ("background",),
    "body": ("background",),
}
# Attributes any element may carry that scripts or frameworks turn into navigation.
_ANY_URL_ATTRS = ("data-href", "data-url", "data-link")
_SCRIPTED_URL = re.compile(
    r"(?:location(?:\.href)?\s*=|location\.(?:assign|replace)\(|window\.open\()"
    r"""\s*['"]([^'"]{4,2000})"""
)
_OBFUSCATION = re.compile(r"\b(?:atob|unescape|fromCharCode|eval|decodeURIComponent)\s*\(")
_SCRIPT_SCAN_LIMIT = 200_000
_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)|max-height\s*:\s*0"
)
_VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "wbr"})


@dataclass(frozen=True, slots=True)
class HtmlLink:
    """A URL found in markup, with the element it came from and its visible text."""

    url: str
    tag: str
    text: str = ""


@dataclass(slots=True)
class HtmlDocument:
    """What PhishX keeps of an HTML body."""

    text: str
    links: list[HtmlLink] = field(default_factory=list)
    forms: int = 0
    password_inputs: int = 0
    meta_refresh: list[str] = field(default_factory=list)
    scripts: int = 0
    hidden_text_chars: int = 0
    script_obfuscation: int = 0


class _Extractor(HTMLParser):
    def __init__(self, max_links: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_links = max_links
        self.chunks: list[str] = []
        self.doc = HtmlDocument(text="")
        self._skip_depth = 0
        self._hidden: list[str] = []
        self._in_script = False
        self._script_scanned = 0
        self._anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in _INVISIBLE:
            self._skip_depth += 1
            self.doc.scripts += tag == "script"
            self._in_script = tag == "script"
        elif tag in _BLOCK:
            self.chunks.append("\n")
        if tag not in _VOID and _HIDING_STYLE.search(values.get("style", "").lower()):
            self._hidden.append(tag)
        self._count_form_parts(tag, values)
        self._collect_urls(tag, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _INVISIBLE:
            self._skip_depth = max(0, self._skip_depth - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._skip_depth = max(0, self._skip_depth - 1)
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()
        if tag == "script":
            self._in_script = False
        if tag == "a" and self._anchor is not None:
            url, text = self._anchor
            self._add_link(HtmlLink(url, "a", " ".join("".join(text).split())[:200]))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            if self._in_script:
                self._scan_script(data)
            return
        if self._hidden:
            self.doc.hidden_text_chars += len(data.strip())
            return
        self.chunks.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)

    def _scan_script(self, code: str) -> None:
        budget = _SCRIPT_SCAN_LIMIT - self._script_scanned
        if budget <= 0:
            return
        code = code[:budget]
        self._script_scanned += len(code)
        self.doc.script_obfuscation += len(_OBFUSCATION.findall(code))
        for match in _SCRIPTED_URL.finditer(code):
            self._add_link(HtmlLink(match.group(1), "script"))

    def _count_form_parts(self, tag: str, values: dict[str, str]) -> None:
        if tag == "form":
            self.doc.forms += 1
        elif tag == "input" and values.get("type", "").lower() == "password":
            self.doc.password_inputs += 1
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            content = values.get("content", "")
            _, _, target = content.partition("=")
            if target.strip():
                self.doc.meta_refresh.append(target.strip().strip("'\""))

    def _collect_urls(self, tag: str, values: dict[str, str]) -> None:
        for attr in _URL_ATTRS.get(tag, ()):
            url = values.get(attr, "").strip()
            if not url:
                continue
            if tag == "a":
                self._anchor = (url, [])
            else:
                self._add_link(HtmlLink(url, tag))
        for attr in _ANY_URL_ATTRS:
            if values.get(attr, "").strip():
                self._add_link(HtmlLink(values[attr].strip(), tag))
        onclick = values.get("onclick", "")
        if onclick:
            for match in _SCRIPTED_URL.finditer(onclick):
                self._add_link(HtmlLink(match.group(1), "onclick"))

    def _add_link(self, link: HtmlLink) -> None:
        if len(self.doc.links) < self.max_links:
            self.doc.links.append(link)


def parse_html(markup: str, max_links: int = 500) -> HtmlDocument:
    """Extract visible text, links, forms and refreshes from possibly hostile markup."""
    extractor = _Extractor(max_links)
    try:
        extractor.feed(markup)
        extractor.close()
    except (AssertionError, ValueError):
        # html.parser can still give up on pathological markup; keep what it read.
        pass
    if extractor._anchor is not None:
        url, text = extractor._anchor
        extractor._add_link(HtmlLink(url, "a", " ".join("".join(text).split())[:200]))
    doc = extractor.doc
    doc.text = "\n".join(" ".join(line.split()) for line in "".join(extractor.chunks).splitlines())
    doc.text = "\n".join(line for line in doc.text.splitlines() if line)
    return doc

"""Links found in an email's bodies; never fetched, only read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.html_text import HtmlDocument

_URL_IN_TEXT = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]{2,2000}""")
_TRAILING = ".,;:!?*"


@dataclass(frozen=True, slots=True)
class Link:
    """A URL with the text shown for it and where it was found (text, a, form, img...)."""

    url: str
    text: str = ""
    source: str = "text"


def links_from_text(text: str, limit: int) -> list[Link]:
    """URLs written out in plain text."""
    links: list[Link] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        links.append(Link(url=url, source="text"))
        if len(links) >= limit:
            break
    return links


def links_from_html(document: HtmlDocument) -> list[Link]:
    """URLs from markup: anchors with their visible text, forms, images, refreshes."""
    links = [Link(url=link.url, text=link.text, source=link.tag) for link in document.links]
    links.extend(Link(url=target, source="meta-refresh") for target in document.meta_refresh)
    return links

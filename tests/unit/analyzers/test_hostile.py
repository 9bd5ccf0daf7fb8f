"""Hostile input: every analyzer finishes in bounded time and never raises."""

from __future__ import annotations

import time

import pytest

from pipeline.analyzers.base import AnalysisContext
from pipeline.message import parse_message
from pipeline.stages import ANALYSIS_STAGES, ANALYZERS
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import html_email

OFFLINE = AnalysisContext(use_builtin_text_model=False)


def _all_stages(raw: bytes) -> float:
    started = time.perf_counter()
    message = parse_message(raw)
    for stage in ANALYSIS_STAGES:
        ANALYZERS[stage](message, OFFLINE)
    return time.perf_counter() - started


HOSTILE = {
    "deep_nesting": html_email("<div>" * 50_000 + "x" + "</div>" * 50_000),
    "unclosed_tags": html_email("<a href='http://x.example/" + "<b" * 20_000),
    "huge_attribute": html_email('<a href="http://a.example/' + "A" * 1_000_000 + '">x</a>'),
    "many_links": html_email(
        "".join(f'<a href="http://h{i}.example/">t</a>' for i in range(20_000))
    ),
    "script_flood": html_email("<script>" + "atob('x');" * 100_000 + "</script>"),
    "giant_header": email_bytes(extra_headers="X-Junk: " + "a" * 2_000_000 + "\r\n"),
    "many_headers": email_bytes(extra_headers="".join(f"X-H{i}: v\r\n" for i in range(50_000))),
    "many_received": email_bytes(
        extra_headers="".join(f"Received: from h{i}; garbage date {i}\r\n" for i in range(5_000))
    ),
    "binary_garbage": bytes(range(256)) * 4000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_bounded(name: str) -> None:
    """The whole analysis of a hostile message completes quickly without raising."""
    elapsed = _all_stages(HOSTILE[name])

    assert elapsed < 30

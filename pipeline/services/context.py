"""Building the analyzers' services from the settings, each behind its own breaker.

Nothing connects here; clients open sockets only when an analyzer calls them.
"""

from __future__ import annotations

import logging

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.url_lists import load_blocklist
from pipeline.resilience import TimeoutConfig, get_breaker
from pipeline.services.clamd import ClamdClient, parse_address
from pipeline.services.dns_txt import DnsTxtResolver
from pipeline.services.guard import BreakerGuard
from pipeline.services.nlp_client import NlpClient
from pipeline.services.url_reputation import UrlReputationClient
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def _guard(name: str, settings: Settings) -> BreakerGuard:
    # Two attempts, and no new attempt once twice the service timeout has passed:
    # well inside every stage's soft limit.
    return BreakerGuard(get_breaker(name), attempts=2, deadline=settings.service_timeout * 2)


def build_context(settings: Settings) -> AnalysisContext:
    """The analysis context for these settings: configured services only.

    Note:
        Without ``dkim_dns_enabled`` DKIM keys are not looked up, and without
        ``url_blocklist_path`` no blocklist is used.
    """
    limits = TimeoutConfig.from_settings(settings)
    context = AnalysisContext()
    if settings.clamd_address:
        host, port = parse_address(settings.clamd_address)
        context.antivirus = ClamdClient(
            host, port, read_timeout=limits.clamav, guard=_guard("clamd", settings)
        )
    if settings.nlp_url:
        context.nlp = NlpClient(settings.nlp_url, limits.nlp_service, guard=_guard("nlp", settings))
    if settings.url_reputation_url:
        context.url_reputation = UrlReputationClient(
            settings.url_reputation_url, limits.url_analyzer,
            guard=_guard("url_reputation", settings),
        )  # fmt: skip
    if settings.dkim_dns_enabled:
        context.dkim_dns = DnsTxtResolver(
            settings.service_timeout, guard=_guard("dkim_dns", settings)
        )
    if settings.url_blocklist_path:
        context.url_blocklist = load_blocklist(settings.url_blocklist_path)
    log.info(
        "analysis_context antivirus=%s nlp=%s url_reputation=%s dkim_dns=%s blocklist=%d",
        context.antivirus is not None, context.nlp is not None,
        context.url_reputation is not None, context.dkim_dns is not None,
        len(context.url_blocklist),
    )  # fmt: skip
    return context

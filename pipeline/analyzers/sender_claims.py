"""What the sender's address says about who is really writing.

An organisation writes from its own domain. Two shapes break that rule and are
cheap for a lure sender: a role or department name ("Billing Department",
"Security Team") on a free-mail address, and a default tenant address on a shared
platform (``x.onmicrosoft.com``, ``x.zendesk.com``) that anyone can register in
minutes and that inherits the platform's good sending reputation.

Note:
    Small organisations do sometimes send from a helpdesk tenant without their own
    domain; the indicator is a hint weighed by the scorer, not a verdict.
"""

from __future__ import annotations

import re

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.identity import FREEMAIL
from pipeline.domains import registered_domain, word_set
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

# Platforms whose customers get a sending subdomain of the platform's own domain.
SHARED_TENANT_DOMAINS = word_set(
    """
    onmicrosoft.com zendesk.com freshdesk.com zohodesk.com firebaseapp.com
    my.salesforce.com force.com helpscoutapp.com
    """
)
_ROLE = re.compile(
    r"\b(support|service|services|team|department|dept|customer|care|billing|accounts?|"
    r"security|admin(istrator)?|help\s?desk|notifications?|no-?reply|bank|banco|official|"
    r"verification|payroll|finance|webmail|mailbox|delivery|shipping|rewards|claims?|"
    r"refunds?|compliance|management|kundenservice|atendimento|suporte|klantenservice)\b",
    re.IGNORECASE,
)


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Flag role names on free-mail addresses and shared-platform tenant senders."""
    outcome = StageOutcome()
    sender = message.from_
    if sender is None or not sender.domain:
        return outcome
    domain = registered_domain(sender.domain)
    role = _ROLE.search(sender.display_name)
    if domain in FREEMAIL and role:
        outcome.add(
            "display_name_role_freemail",
            15.0,
            f"display name says {role.group(0)!r} but the address is free mail at {domain}",
        )
    tenant = shared_tenant(sender.domain)
    if tenant:
        outcome.add("sender_shared_tenant", 10.0, f"sent from a tenant subdomain of {tenant}")
    return outcome


def shared_tenant(host: str) -> str:
    """The platform a host is a customer subdomain of, or ''."""
    host = host.lower().rstrip(".")
    return next((p for p in sorted(SHARED_TENANT_DOMAINS) if host.endswith(f".{p}")), "")

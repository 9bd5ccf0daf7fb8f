"""Reference lists for URL checks: shorteners, abused TLDs, free hosting, form services.

Note:
    These lists are static snapshots (2025) of services and TLDs with a record of
    abuse; they age, and an entry here is a hint weighed by the scorer, not a verdict.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.domains import word_set

SHORTENERS = word_set(
    """
    bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at rb.gy
    t.ly tiny.cc s.id v.gd bl.ink short.io qrco.de surl.li shorte.st adf.ly u.to clck.ru
    lnkd.in tr.im x.gd 1url.com snip.ly t2m.io urlz.fr
    """
)
# Top-level domains over-represented in abuse reports relative to their size.
RISKY_TLDS = word_set(
    """
    top xyz click icu buzz cyou rest cfd sbs monster shop online site store live fun space
    website club work gq tk ml ga cf pw bond best lol quest hair beauty mom bar cam digital
    life ink support services link click today win loan men date racing review download
    stream trade zip mov ru su
    """
)
# Hosts where anyone can publish a page under the provider's domain.
FREE_HOSTING = word_set(
    """
    web.app firebaseapp.com pages.dev workers.dev netlify.app vercel.app github.io glitch.me
    herokuapp.com weebly.com wixsite.com blogspot.com 000webhostapp.com ipfs.io dweb.link
    r2.dev azurewebsites.net webflow.io square.site godaddysites.com notion.site
    firebasestorage.googleapis.com storage.googleapis.com blob.core.windows.net
    s3.amazonaws.com surge.sh repl.co onrender.com fly.dev carrd.co weeblysite.com
    mystrikingly.com wordpress.com yolasite.com sites.google.com ddns.net duckdns.org
    ngrok.io ngrok-free.app trycloudflare.com
    """
)
FORM_SERVICES = word_set(
    """
    forms.gle docs.google.com/forms forms.office.com typeform.com jotform.com formspree.io
    wufoo.com formstack.com 123formbuilder.com cognitoforms.com forms.app zohopublic.com
    """
)


def load_blocklist(path: Path | None) -> frozenset[str]:
    """Read a blocklist file: one host, registered domain or URL prefix a line; '#' comments."""
    if path is None:
        return frozenset()
    entries: set[str] = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            entries.add(entry)
    return frozenset(entries)

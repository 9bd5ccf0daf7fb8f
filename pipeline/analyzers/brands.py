"""Well-known brands phishing imitates, their real domains, and lookalike tests.

A lookalike is a registered domain whose name is a small edit away from a brand's
(``paypa1.com``, ``rnicrosoft.com``), or that folds to a brand's name once Unicode
confusables are mapped to Latin letters (``paypal.com`` spelt with a Cyrillic ``a``).

Note:
    The brand list is short and hand-picked (global services, crypto wallets and
    exchanges, plus the banks, carriers, retailers and agencies most imitated in
    Europe, the US and Brazil). A brand not listed is invisible to these tests.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.domains import registered_domain, split_domain, to_unicode

# brand token -> registered domains that legitimately send or host for the brand
BRANDS: dict[str, frozenset[str]] = {
    name: frozenset(domains.split())
    for name, domains in {
        "microsoft": "microsoft.com office.com office365.com outlook.com live.com "
        "microsoftonline.com sharepoint.com onmicrosoft.com hotmail.com azure.com",
        "office365": "microsoft.com office.com office365.com microsoftonline.com",
        "outlook": "microsoft.com outlook.com office.com live.com hotmail.com",
        "onedrive": "microsoft.com live.com onedrive.com sharepoint.com",
        "sharepoint": "microsoft.com sharepoint.com",
        "paypal": "paypal.com paypal.de paypal.co.uk paypal-communication.com",
        "apple": "apple.com icloud.com me.com",
        "icloud": "apple.com icloud.com",
        "amazon": "amazon.com amazon.de amazon.co.uk amazon.com.br amazonses.com amazon.nl",
        "netflix": "netflix.com",
        "google": "google.com gmail.com googlemail.com youtube.com",
        "facebook": "facebook.com facebookmail.com meta.com",
        "instagram": "instagram.com facebookmail.com",
        "whatsapp": "whatsapp.com",
        "linkedin": "linkedin.com",
        "dropbox": "dropbox.com dropboxmail.com",
        "docusign": "docusign.com docusign.net",
        "adobe": "adobe.com",
        "dhl": "dhl.com dhl.de dhl.nl dhl.com.br",
        "fedex": "fedex.com",
        "ups": "ups.com",
        "usps": "usps.com",
        "correios": "correios.com.br",
        "postnl": "postnl.nl",
        "coinbase": "coinbase.com",
        "binance": "binance.com",
        "metamask": "metamask.io",
        "chase": "chase.com",
        "wellsfargo": "wellsfargo.com",
        "santander": "santander.com santander.com.br santander.de santander.co.uk",
        "bradesco": "bradesco.com.br",
        "itau": "itau.com.br",
        "nubank": "nubank.com.br",
        "caixa": "caixa.gov.br",
        "sparkasse": "sparkasse.de",
        "volksbank": "volksbank.de vr.de",
        "commerzbank": "commerzbank.de",
        "ing": "ing.com ing.nl ing.de",
        "rabobank": "rabobank.nl rabobank.com",
        "abnamro": "abnamro.nl abnamro.com",
        "mercadolivre": "mercadolivre.com.br mercadolibre.com",
        "detran": "gov.br",
        "serasa": "serasa.com.br",
        "spotify": "spotify.com",
        "binance.us": "binance.us",
        "ionos": "ionos.com ionos.de",
        "wetransfer": "wetransfer.com",
        "ledger": "ledger.com",
        "trustwallet": "trustwallet.com",
        "opensea": "opensea.io",
        "uniswap": "uniswap.org",
        "kraken": "kraken.com",
        "kucoin": "kucoin.com",
        "bybit": "bybit.com",
        "blockchain.com": "blockchain.com",
        "crypto.com": "crypto.com",
        "ebay": "ebay.com ebay.de ebay.co.uk ebay.nl",
        "booking.com": "booking.com",
        "aliexpress": "aliexpress.com",
        "walmart": "walmart.com",
        "costco": "costco.com",
        "mcafee": "mcafee.com",
        "stripe": "stripe.com",
        "intuit": "intuit.com",
        "quickbooks": "intuit.com quickbooks.com",
        "zoom": "zoom.us zoom.com",
        "irs": "irs.gov",
        "hmrc": "hmrc.gov.uk",
        "royalmail": "royalmail.com",
        "dpd": "dpd.com dpd.de dpd.co.uk dpd.nl",
        "telekom": "telekom.de telekom.com t-online.de",
        "vodafone": "vodafone.com vodafone.de vodafone.co.uk vodafone.nl",
        "verizon": "verizon.com",
        "albertheijn": "ah.nl",
        "yahoo": "yahoo.com yahoo.co.uk yahoo.de yahoo.com.br ymail.com",
        "aol": "aol.com",
        "bankofamerica": "bankofamerica.com bofa.com",
        "citibank": "citibank.com citi.com",
        "americanexpress": "americanexpress.com aexp.com",
        "amex": "americanexpress.com aexp.com",
        "hsbc": "hsbc.com hsbc.co.uk",
        "barclays": "barclays.com barclays.co.uk barclaycard.co.uk",
        "natwest": "natwest.com",
        "postbank": "postbank.de",
        "bancodobrasil": "bb.com.br",
        "venmo": "venmo.com",
        "trezor": "trezor.io",
        "monero": "getmonero.org",
        "bitcoincore": "bitcoincore.org",
        "hodlhodl": "hodlhodl.com",
        "bitget": "bitget.com",
        "roblox": "roblox.com",
        "godaddy": "godaddy.com",
        "bestbuy": "bestbuy.com",
        "geeksquad": "geeksquad.com bestbuy.com",
        "homedepot": "homedepot.com",
        "xfinity": "xfinity.com comcast.net comcast.com",
        "comcast": "comcast.com comcast.net xfinity.com",
        "temu": "temu.com",
        "evri": "evri.com",
    }.items()
}
# Brands whose name is a common word get matched only as a whole word.
_SHORT_BRANDS = frozenset(b for b in BRANDS if len(b) <= 4)
# Brands one edit away from ordinary names (telecom, stride, hedger, wahoo, venom):
# matched by name, never as lookalikes.
_WORD_BRANDS = frozenset({"ledger", "stripe", "telekom", "kraken", "intuit", "yahoo", "venmo"})
# Digits and non-Latin letters that render like Latin ones (written as escapes).
_CONFUSABLES = str.maketrans(
    "013547$@\u0430\u0435\u043e\u0440\u0441"
    "\u0443\u0445\u0456\u0458\u0501\u0261\u03bf\u03b1\u03bd\u0131\u0455\u2113\u217c\uff4d",
    "olesatsaaeopcyxijdgoavisllm",
)
_WORD = re.compile(r"[a-z0-9]+")


def skeleton(text: str, glyph_pairs: bool = False) -> str:
    """Fold confusable characters and accents to plain Latin for comparison.

    With ``glyph_pairs``, letter pairs that render like one letter fold too (rn → m).
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_CONFUSABLES))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("-", "")
    return folded.replace("rn", "m").replace("vv", "w") if glyph_pairs else folded


_BRAND_RANK = {brand: rank for rank, brand in enumerate(BRANDS)}
# A brand domain's last label -> (domain, brand): the domains that can end where a
# subdomain label ends, so a host is compared with a handful of domains, not all.
_DOMAINS_BY_LAST_LABEL: dict[str, list[tuple[str, str]]] = {}
for _brand, _domains in BRANDS.items():
    for _domain in sorted(_domains):
        _DOMAINS_BY_LAST_LABEL.setdefault(_domain.rsplit(".", 1)[-1], []).append((_domain, _brand))


def brand_in_text(text: str) -> str:
    """The first brand named in a display name, or an empty string.

    A hyphen separates words here ("DHL-Kundenservice" names DHL), although
    ``skeleton`` drops it.
    """
    words = _WORD.findall(skeleton(text.replace("-", " ")))
    joined = "".join(words)
    for brand in BRANDS:
        token = brand.replace(".", "")
        if brand in _SHORT_BRANDS:
            if token in words:
                return brand
        elif token in joined:
            return brand
    return ""


def is_brand_domain(brand: str, domain: str) -> bool:
    """True when the domain belongs to the brand (by registered domain)."""
    return registered_domain(domain) in BRANDS.get(brand, frozenset())


@functools.lru_cache(maxsize=8192)
def lookalike_brand(domain: str) -> str:
    """The brand a registered domain imitates without belonging to it, or ''."""
    registered = registered_domain(domain)
    if not registered or any(registered in domains for domains in BRANDS.values()):
        return ""
    _, label, _, _ = split_domain(to_unicode(registered))
    folded = skeleton(label, glyph_pairs=True)
    for brand in BRANDS:
        token = brand.replace(".", "")
        if len(token) < 5 or brand in _WORD_BRANDS:
            continue
        if folded == token and label != token:
            return brand
        if "-" in label and token in folded:
            return brand
        if len(folded) >= 5 and 0 < _edit_distance(folded, token, 2) <= _allowed(token):
            return brand
    return ""


@functools.lru_cache(maxsize=8192)
def brand_in_subdomain(host: str) -> str:
    """A brand's real domain used as a subdomain of another site (paypal.com.evil.xyz)."""
    subdomain, _, _, _ = split_domain(host)
    if not subdomain:
        return ""
    brand = _first_brand_ending_a_label(subdomain)
    return brand if brand and not is_brand_domain(brand, host) else ""


def _first_brand_ending_a_label(subdomain: str) -> str:
    """The first brand (in list order) one of whose domains ends at a label boundary."""
    found: list[str] = []
    end = 0
    for label in subdomain.split("."):
        end += len(label)
        for domain, brand in _DOMAINS_BY_LAST_LABEL.get(label, ()):
            if subdomain.endswith(domain, 0, end):
                found.append(brand)
        end += 1
    return min(found, key=_BRAND_RANK.__getitem__, default="")


def _allowed(token: str) -> int:
    return 1 if len(token) < 8 else 2


def _edit_distance(a: str, b: str, bound: int) -> int:
    """Damerau-Levenshtein distance, returning bound + 1 early when it is exceeded."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]

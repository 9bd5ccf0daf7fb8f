"""Lure cues: short phrase lexicons for what phishing and scam mail asks or offers.

Each cue is one regular expression matched against lower-cased text. The credential
and threat cues describe account lures; the offer cues (gambling, health products,
adult contact, loans, quick riches) describe the junk offers scam senders push,
which rarely ask for a password and so pass account-lure checks. The story cues
describe the classic scam scripts that ask for neither: a mailbox over its quota,
a charge to cancel by phone, a threat to publish recordings, a lonely stranger,
money waiting to be withdrawn, free tokens for holders, stolen access for sale,
and the dying donor or lucrative proposal of advance-fee fraud.

Note:
    The lexicons cover English, Portuguese, German, Dutch and Spanish, with a few
    French and Italian words for the offers; the story cues are mostly English, with
    a few Portuguese and German words. Lures in other languages rely on the model's
    n-gram weights alone. Cues match plain letters only: a lure written in styled or
    accented look-alike letters is left to the evasion checks.
"""

from __future__ import annotations

import re

_ACCOUNT_CUES = {
    "credential": r"\b(verify|confirm|update|validate|re-?activate|unlock)\s+(your\s+)?"
    r"(account|password|identity|login|credentials|mailbox|e-?mail|details|information)"
    r"|\b(atualize|confirme|valide)\s+(seus?|sua)\s+(dados|cadastro|conta|senha)"
    r"|\b(bestätigen|aktualisieren|verifizieren)\s+sie\s+(ihr|ihre)"
    r"|\b(bevestig|verifieer|update)\s+uw\s+(gegevens|account)",
    "urgency": r"\b(urgent|immediately|within\s+\d+\s+(hours|days)|act\s+now|final\s+"
    r"(notice|warning|reminder)|expires?\s+today|last\s+(chance|warning)|imediatamente|"
    r"urgente|sofort|dringend|onmiddellijk|inmediatamente|ultimo\s+aviso|último\s+aviso)\b",
    "threat": r"\b(suspend(ed)?|locked|blocked|deactivat(ed|ion)|unusual\s+(sign[- ]?in|"
    r"activity)|will\s+be\s+(closed|terminated|deleted|disabled)|bloquead[oa]|suspens[oa]|"
    r"gesperrt|deaktiviert|geblokkeerd|cancelad[oa])\b",
    "password": r"\b(password|passwort|senha|wachtwoord|contraseña|mot\s+de\s+passe)\b",
    "money": r"\b(invoice|payment|refund|transfer|wire|bitcoin|crypto|fatura|boleto|pix|"
    r"pagamento|rechnung|zahlung|factuur|betaling|reembolso|erstattung)\b",
    "prize": r"\b(winner|won|prize|lottery|jackpot|congratulations|reward|gift\s*card|"
    r"bonus|ganhou|prêmio|premio|gewonnen|gewinn|parabéns|gefeliciteerd)\b",
    "delivery": r"\b(parcel|package|shipment|delivery|tracking|customs|encomenda|"
    r"entrega|pacote|sendung|paket|zustellung|pakket|bezorging)\b",
    "action": r"\b(click\s+(here|below|the\s+link)|clique\s+aqui|klicken\s+sie|klik\s+hier|"
    r"haga\s+clic|log\s*in\s+(now|here)|sign\s+in\s+now|acesse|access\s+now)\b",
    "wallet": r"\b(seed\s+phrase|recovery\s+phrase|secret\s+phrase|private\s+key|airdrop|"
    r"connect\s+(your\s+)?wallet|(verify|validate|sync|restore)\s+(your\s+)?wallet|"
    r"claim\s+(your\s+)?(tokens?|rewards?|airdrop|\$[a-z]{2,6})|"
    r"(confirm|verify|secure|sync)\s+your\s+(keys|seed|wallet))\b",
    "advance_fee": r"\b(next\s+of\s+kin|(named|made)\s+(you\s+)?(the\s+)?(sole\s+)?"
    r"beneficiary|inheritance\s+(fund|sum)|dying\s+bed|late\s+client|"
    r"unclaimed\s+(fund|sum|deposit)|consignment\s+box|compensation\s+fund|"
    r"(usd|us\$|eur|gbp)\s*\$?\s*[\d.,]+\s*(m\b|million)|"
    r"[\d.,]+\s*(million|m)\s*(us\s*dollars|usd|euros|pounds\s+sterling)|"
    r"herança|erbschaft|herencia)",
    "generic_greeting": r"\b(dear\s+(customer|user|client|member|account\s+holder|valued)|"
    r"prezado\s+cliente|caro\s+cliente|sehr\s+geehrte[r]?\s+kunde|beste\s+klant|"
    r"estimado\s+cliente)\b",
}
_OFFER_CUES = {
    "gambling": r"\b(casino|cassino|casinò|free\s+spins?|\d+\s+spins|spin\s+(&|and)\s+win|"
    r"no\s+deposit|welcome\s+bonus|sportsbook|roulette|blackjack|slot\s+machines?|"
    r"rodadas\s+grátis|giros\s+gratis|tiradas\s+gratis|freispiele|gratis\s+spins|"
    r"apostas?\s+esportivas?|apuestas\s+deportivas)\b",
    "health_product": r"\b(viagra|cialis|erectile|weight[- ]loss|lose\s+(weight|belly\s+fat)|"
    r"burn\s+fat|fat[- ]burn(ing|er)?|keto|diet\s+(pills?|products?)|blood\s+sugar|"
    r"testosterone|libido|anti[- ]aging|wrinkles|hair\s+loss|regrow|joint\s+pain|"
    r"perder\s+peso|emagrecer|emagrecimento|abnehmen|gewichtsverlust|afvallen|"
    r"adelgazar|perdre\s+du\s+poids|dimagrire)\b",
    "adult_contact": r"\b(sexy|horny|nudes?|porn\w*|erotic\w*|penis|orgasm\w*|adult\s+dating|"
    r"dating\s+site|casual\s+sex|(wants?|looking\s+for|have)\s+sex|"
    r"sex\s+(tonight|dating|partner|chat|with\s+you)|"
    r"(wants\s+to|dreams?\s+of|would\s+love\s+to)\s+meet(ing)?\s+you|"
    r"lonely\s+(women|girls|wives|ladies)|"
    r"(hot|single|lonely|beautiful|young)\s+(girls|women|ladies|singles|milfs?)|"
    r"(women|girls|singles)\s+(near\s+you|in\s+your\s+area)|"
    r"mulheres\s+solteiras|chicas\s+calientes|geile\s+frauen)\b",
    "loan_offer": r"\b(loan\s+offer|get\s+a\s+loan|(personal|instant|fast|quick|easy|payday|"
    r"cash)\s+loans?|loan\s+approv\w*|mortgage\s+rates?|lower\s+your\s+(mortgage|"
    r"monthly\s+payments?)|credit\s+score|debt\s+(relief|consolidation)|pre-?approved|"
    r"cash\s+advance|empréstimo\s+(pessoal|rápido|consignado)|crédito\s+pré-aprovado|"
    r"sofortkredit|kredit\s+ohne|snelle\s+lening|préstamos?\s+(rápidos?|personal(es)?))\b",
    "quick_riches": r"\b(passive\s+income|financial\s+freedom|get\s+rich|"
    r"guaranteed\s+(returns?|profits?|income)|double\s+your\s+(money|investment|bitcoin)|"
    r"earn\s+\$?\d[\d,.]*\s*(per|a|each)\s+(day|week|hour)|"
    r"trading\s+(bot|signals)|renda\s+extra|ganhe\s+dinheiro|geld\s+verdienen|"
    r"passief\s+inkomen|ganar\s+dinero|dinero\s+extra)\b",
}
_STORY_CUES = {
    "mailbox_quota": r"\b((mailbox|inbox|e-?mail)\s+(quota|storage\s+(is\s+)?(full|limit)|"
    r"is\s+(almost\s+|nearly\s+)?full)|storage\s+quota|quota\s+(exceeded|limit|reached)|"
    r"\d+\s*%\s+of\s+your\s+(mailbox|storage|quota)|"
    r"(restore|upgrade|revalidate|reactivate)\s+your\s+(mailbox|e-?mail\s+(account|quota))|"
    r"(caixa\s+de\s+(correio|e-?mail)|postfach|mailbox)\s+(está\s+|ist\s+|is\s+)?"
    r"(cheia|lotada|voll|vol))\b",
    "callback": r"\b(if\s+(you\s+)?(did\s*n[o']?t|do\s+not|don't)\s+(authori[sz]e|make|place|"
    r"order|recogni[sz]e|request|initiate)|not\s+(authori[sz]ed|ordered|made|placed)\s+by\s+you|"
    r"to\s+(cancel|dispute|stop)\s+(this|the)\s+(order|transaction|charge|payment|renewal|"
    r"subscription))\b.{0,160}\b(call|dial|phone)\b",
    "sextortion": r"\b((gain(ed)?|got|have|obtained)\s+(full|total|complete|remote)\s+(access|"
    r"control|permission)\s+(to|of|over)\s+(your|all\s+your|each\s+your|every)|"
    r"(recorded|filmed)\s+you\b|(i|we)\s+(hacked|infected)\s+your|"
    r"(trojan|spyware|malware)\s+(on|in)\s+your\s+(device|computer|system|phone)|"
    r"(intimate|compromising|explicit)\s+(videos?|photos?|footage|recordings?)|"
    r"(video|recording)\s+to\s+(all\s+)?your\s+contacts)",
    "romance": r"\b((lonely|single|solitary)\s+\d{2}\s+(years?|yo)\b|"
    r"\d{2}\s+years?\s+old\s+(girl|woman|lady|miss|widow)|"
    r"(looking|trying|want)\s+(for|to\s+find|to\s+meet)\s+(a\s+)?(charming|nice|serious|kind|"
    r"good|reliable|honest|incomparable|real|decent)\s+(man|male|guy|gentleman)|"
    r"(send|sending)\s+(you\s+)?my\s+(photos?|pictures?|pics)|"
    r"my\s+(photo|picture)s?\s+(is\s+|are\s+)?attached)\b",
    "fake_balance": r"(\b(withdraw|collect|claim|receive|transfer|move)\s+(your|the)\s+"
    r"(\+?\$?\s?\d[\d.,]*\s?(\$|usd|usdt|btc|eur|€)|funds|balance|earnings|winnings|profits?|"
    r"payout)|\byour\s+(account|balance|wallet)\s+(already\s+)?(has|holds|contains|shows)\s+"
    r"\+?\$?\s?\d[\d.,]*|\+\s?\d[\d.,]{2,}\s?(\$|usd|usdt|€)|\bmax(imum)?\s+payout\b)",
    "crypto_giveaway": r"\b((token|coin|crypto|xrp|eth|btc|usdt|usdc|xlm)\s+(allocation|"
    r"distribution|giveaway|airdrop|cashback|dividends?|buyback|rewards?\s+program)|"
    r"(giveaway|allocation|airdrop|loyalty)\s+(program(me)?|campaign|event)|"
    r"staking\s+(rewards?|feature|bonus)|holders\s+(can|are\s+eligible|will\s+(receive|get))|"
    r"eligible\s+for\s+(the\s+|an\s+)?(airdrop|allocation|distribution|giveaway))\b",
    "crime_service": r"\b(cpanels?|smtps|rdps|webmails|fullz|cvvs|ssh/whm|web\s?shells|"
    r"spam\s+tools?|leaked\s+(courses|databases?|accounts|data)|combo\s*lists?|"
    r"bulletproof\s+(hosting|servers?))\b",
    "charity_fee": r"\b(dear\s+beneficiary|philanthropist|(sick|ailing|dying|lonely|old)\s+widow|"
    r"widow(ed)?\s+(and|with)|viúva|witwe|orphans|órfãos|waisenkinder|"
    r"diagnosed\s+with\s+(cancer|a\s+terminal|leukemia)|lucrative\s+(deal|business|proposal|"
    r"offer|partnership)|(business|investment)\s+proposal|charity\s+(fund|work|"
    r"organi[sz]ations?|homes?)|donate\s+(it|the\s+(funds?|money|sum))|"
    r"fundo\s+de\s+donativos|compliment\s+of\s+the\s+day)\b",
}
# Cues made of everyday words ("password", "package", "transfer", "immediately",
# "click here"): the model weighs them with the words around them, but alone they are
# no indicator, because ordinary newsletters, receipts and list mail use them as
# often as lures do.
MODEL_ONLY_CUES = frozenset(
    {"urgency", "threat", "password", "money", "prize", "delivery", "action"}
)
CUES: dict[str, re.Pattern[str]] = {
    # Matched against lower-cased text only: case-blind matching costs twice the time.
    name: re.compile(pattern)
    for name, pattern in {**_ACCOUNT_CUES, **_OFFER_CUES, **_STORY_CUES}.items()
}

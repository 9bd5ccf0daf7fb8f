"""Function words of the languages in PhishX's training mail, removed before hashing.

Function words mostly say which language a text is in. In the training corpus the
language correlates with the label (the ham is English), so keeping them would
teach the model that a language is phishing. Content words stay. English, Portuguese,
German, Dutch, Spanish, French and Italian are covered.

Note:
    Language still leaks through content words and character n-grams; this removes
    the most direct signal, not all of it.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_OTHER_LANGUAGES = """
    a o os as um uma uns umas de do da dos das em no na nos nas por para pelo pela com
    sem que se e ou mas como mais muito seu sua seus suas meu minha nosso nossa este
    esta isso isto esse essa ao aos à às é são foi ser ter tem há não sim já
    der die das den dem des ein eine einer eines einem einen und oder aber nicht auch
    ist sind war sein hat haben wird werden mit von zu zum zur im in an auf aus bei
    nach für über unter vor durch sie ihr ihre ihnen wir uns ich du er es sich dass
    wenn als wie noch nur schon so
    het een en of maar niet ook is zijn was wordt worden met van te naar voor door
    op uit bij u uw jij je wij we ze dat deze dit die wat als nog al zo er
    el la los las un una unos unas y o pero no también es son fue ser con sin por
    para del al en que se su sus mi nuestro este esta esto ese esa lo le les
    le la les un une des du de et ou mais ne pas plus est sont été être avoir a ont
    ce cet cette ces qui que quoi dont où il elle ils elles nous vous je tu on se
    sa ses leur leurs mon ma mes ta tes votre vos notre nos au aux avec pour
    par sur dans sans chez très
    il lo la gli le uno una di da del della dei delle degli nel nella con su tra
    fra che chi cui non più è sono essere avere ha hanno questo questa quello
    quella suo sua suoi sue tuo tua tuoi tue mio mia nostro vostro loro anche
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(_OTHER_LANGUAGES.split())
_PUNCTUATION = ".,;:!?()[]{}\"'«»“”"


def remove_stop_words(text: str) -> str:
    """Lower-cased text without function words, whitespace collapsed."""
    return " ".join(word for word in text.split() if word.strip(_PUNCTUATION) not in STOP_WORDS)

"""E-mail addresses and street addresses in normalised text.

A street address is a street name (a word ending in -gatan, -vägen, -gränd, -backen, …, more
than the ending alone) followed by a number, and what follows it in Swedish addresses: a
letter ("14 B"), a flat ("lgh 1102") and a floor ("1 tr").
"""
from __future__ import annotations

import re
from typing import Iterator

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Written so a machine would not see it: "karin.lind(at)telia.com", "karin [at] telia [dot] com".
DISGUISED_EMAIL = re.compile(
    r"[\w.+-]+\s?(?:\(at\)|\[at\]|\{at\}|\s(?:at|snabel-a)\s)\s?[\w-]+(?:\s?(?:\.|\(dot\)|\[dot\]|\s(?:dot|punkt)\s)\s?[\w-]+)+",
    re.IGNORECASE,
)
_STREETS = (
    "gatan|gata|vägen|väg|gränd|gränden|backe|backen|stigen|allé|allén|alle|allen|torget|torg|platsen|leden|"
    "slingan|ringen|svängen|kroken|trappan|kajen|stranden|promenaden|bryggan|udden|terrassen|höjden|liden|"
    "hagen|ängen|parken|esplanaden|gårdsvägen|vägg|backar|gången|tået|plan|gård|gården|stråket|bågen|branten"
)
STREET = re.compile(
    r"(?<![\w])(?:(?:Västra|Östra|Norra|Södra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Inre|Yttre)\s+)?(?P<street>[^\W\d_][\w-]*?(?:" + _STREETS + r"))\s+(?P<number>\d{1,3})(?!\d)(?-i:\s?[A-Z](?![\w])|[a-z](?![\w]))?"
    r"(?:\s*,?\s*(?:lgh|lägenhet|lägh|lgh\.)\s*\.?\s*(?:nr\.?\s*)?\d{3,4})?"
    r"(?:\s*,?\s*\d\s*(?:tr|trappor|trappa|tr\.)(?![\w]))?",
    re.IGNORECASE,
)
# "Tumba torg 11", "Fittja gård 7", "Alby gårdsväg 3": a place, then the street word.
TWO_WORD_STREET = re.compile(
    r"(?<![\w])[A-ZÅÄÖ][\wåäö-]+\s+(?:torg|gård|gårdsväg|väg|gata|allé|backe|park|stig|gränd|strand|plan|platan|"
    r"bro|hage|äng|udde|kaj)\s+\d{1,3}(?!\d)(?:\s?[A-Z](?![\w])|[a-z](?![\w]))?"
    r"(?:\s*,?\s*(?:lgh|lägenhet|lägh)\.?\s*(?:nr\.?\s*)?\d{3,4})?(?:\s*,?\s*\d\s*(?:tr|trappor|trappa)\.?(?![\w]))?"
)


def emails(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (EMAIL, DISGUISED_EMAIL):
        for match in pattern.finditer(text):
            yield match.span()


def street_addresses(text: str) -> Iterator[tuple[int, int]]:
    for match in TWO_WORD_STREET.finditer(text):
        yield match.span()
    for match in STREET.finditer(text):
        street = match["street"].lower()
        if street in _STREETS.split("|"):
            continue  # "vägen 3 gånger", "plan 2": an ordinary word and a number, not an address
        if street.endswith(("plan", "gård", "gården")) and not match["street"][0].isupper():
            continue  # "handlingsplan 2", "skolgården 3": a noun in lower case, not a street
        yield match.span()

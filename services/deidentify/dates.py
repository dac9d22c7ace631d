"""Dates of birth in normalised text.

A date is a date of birth when the text says so ("född 3 maj 2015", "f. 12/4-2013",
"född den 14 juni 2011", "födelsedatum: 2010-06-14", "född 2012", "född i maj 2015") or
when it stands in parentheses right after a name ("Kalle (2010-06-14)") and lies at least
three years back. Only the date itself is the finding. "f.d." (före detta) is not "född".
Meeting dates, "v. 14", "ht 2024" and the like are never dates of birth.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator

MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "jan|feb|febr|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
ORDINALS = (
    "första|andra|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|tionde|elfte|tolfte|trettonde|fjortonde|"
    "femtonde|sextonde|sjuttonde|artonde|nittonde|tjugonde|tjugoförsta|tjugoandra|tjugotredje|tjugofjärde|"
    "tjugofemte|tjugosjätte|tjugosjunde|tjugoåttonde|tjugonionde|trettionde|trettioförsta"
)
_WRITTEN = r"(?:\d{1,2}(?::?\s?[ae])?\.?|" + ORDINALS + r")\s+(?:" + MONTHS + r")\.?(?:\s+\d{4}|\s+-?\d{2}\b)?"
_MONTH_YEAR = r"(?:i\s+)?(?:" + MONTHS + r")\.?\s+\d{4}"
_NUMERIC = (
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{8}|\d{6}"
    r"|\d{1,2}/\d{1,2}(?:\s?-\s?|\s|/)?(?:\d{4}|\d{2})?|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})|\d{1,2}-\d{1,2}-\d{4}"
)
_YEAR = r"(?:19|20)\d{2}"
DATE = r"(?:" + _WRITTEN + "|" + _MONTH_YEAR + "|" + _NUMERIC + "|" + _YEAR + r")"

BORN = re.compile(
    r"(?<![\w.])(?:född|födde|föddes|född\.|f\.(?!\s?d\b)(?!\s?ö\b)|föd\.|födelsedatum|födelsedag|födelsedagen|fdat|f-dat)"
    r"(?:\s*(?:den|d\.|:|,|år|på|,?\s*den))*\s*(?P<date>" + DATE + r")(?![\w])",
    re.IGNORECASE,
)
SAME_SENTENCE_DATE = re.compile(r"(?<![\w.-])(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{6})(?![\w-])")
AFTER_A_NAME = re.compile(
    r"(?P<name>[A-ZÅÄÖ][\w'-]+)\s*\(\s*(?:f\.?\s*)?(?P<date>\d{4}-\d{2}-\d{2}|\d{8}|\d{6}|\d{4}\.\d{2}\.\d{2})\s*\)"
)


def _year_of(numeric: str) -> int | None:
    digits = re.sub(r"\D", "", numeric)
    if len(digits) == 8:
        return int(digits[:4])
    if len(digits) == 6:
        return 2000 + int(digits[:2]) if int(digits[:2]) <= date.today().year % 100 else 1900 + int(digits[:2])
    return None


def birth_dates(text: str, today: date | None = None) -> Iterator[tuple[int, int]]:
    today = today or date.today()
    for match in BORN.finditer(text):
        yield match.start("date"), match.end("date")
        # The same sentence may give the date again, written otherwise ("född 140213 men
        # skolan har 140312 registrerat"): a date of birth too.
        end = re.search(r"[.!?\n]|$", text[match.end():]).start() + match.end()
        for other in SAME_SENTENCE_DATE.finditer(text, match.end(), end):
            yield other.span()
    for match in AFTER_A_NAME.finditer(text):
        year = _year_of(match["date"])
        if year is not None and year <= today.year - 3:
            yield match.start("date"), match.end("date")

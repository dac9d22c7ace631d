"""Text in one plain form before any detector looks at it, with a way back to the original.

- Unicode NFKC (full-width letters and digits, ligatures, compatibility forms);
- every decimal digit of any script (Arabic-Indic, Devanagari, full-width …) to ASCII;
- every dash-like character (en and em dash, minus sign, non-breaking hyphen, …) to "-";
- every space-like character (no-break space, thin space, …) to " ";
- apostrophe-like characters to "'"; invisible characters (soft hyphen, zero-width) removed.

A detector finds spans in the normalised text; `Normalised.original_span` maps a span back to
the text the person wrote, so redaction removes exactly what was typed.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2e3a\u2e3b\u058a\u05be\u1806\u30fc")
APOSTROPHES = frozenset("\u2019\u2018\u02bc\u00b4\u0060\u2032\uff07\u201b")
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e")


def _plain(cluster: str) -> str:
    first = cluster[0]
    if len(cluster) == 1:
        if first in DASHES:
            return "-"
        if first in APOSTROPHES:
            return "'"
        if first in INVISIBLE:
            return ""
        if first.isspace() and first not in "\n\r":
            return " "
        if unicodedata.category(first) == "Nd":
            return str(unicodedata.decimal(first))
    out = unicodedata.normalize("NFKC", cluster)
    # NFKC keeps some script digits as they are; make each one ASCII.
    return "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in out)


@dataclass(frozen=True)
class Normalised:
    text: str
    _starts: tuple[int, ...]  # for each character of `text`: where its source starts in the original
    _ends: tuple[int, ...]  # … and where that source ends
    _length: int  # the original's length

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the normalised span [start, end) came from
        (invisible characters around it, such as a soft hyphen, are not part of it)."""
        if start >= len(self._starts):
            return self._length, self._length
        if end <= start:
            return self._starts[start], self._starts[start]
        return self._starts[start], self._ends[end - 1]


def normalise(text: str) -> Normalised:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        end = index + 1
        while end < length and unicodedata.combining(text[end]):
            end += 1  # a letter and its combining accents are one character
        plain = _plain(text[index:end])
        out.append(plain)
        starts.extend([index] * len(plain))
        ends.extend([end] * len(plain))
        index = end
    return Normalised("".join(out), tuple(starts), tuple(ends), length)


def plain(text: str) -> str:
    """Just the normalised text (for a form field such as a personnummer)."""
    return normalise(text).text

"""De-identification (R22): find what could identify a child in free text, and redact it.

Pure functions, no I/O. What is looked for:
- personal identity numbers and coordination numbers (personnummer, samordningsnummer), in
  every format (eventkit.personal_data, shared with the regional stream's last check);
- phone numbers (Swedish, 0… or +46…) and e-mail addresses;
- names from the reporting organisation's pupil records (whole names and their parts).
Each finding is decided by the manager: redact it, or confirm that it is not about a child.
An identity number can never be confirmed away (see model.Deviation.send_to_bus).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from eventkit.personal_data import DIGIT_RUN, run_is_identity_number

IDENTITY = "identity_number"
PHONE = "phone"
EMAIL = "email"
NAME = "name"

KIND_LABELS = {
    IDENTITY: "Personnummer eller samordningsnummer",
    PHONE: "Telefonnummer",
    EMAIL: "E-postadress",
    NAME: "Namn ur elevregistret",
}
REPLACEMENTS = {
    IDENTITY: "[personnummer borttaget]",
    PHONE: "[telefonnummer borttaget]",
    EMAIL: "[e-post borttagen]",
    NAME: "[namn borttaget]",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """What the manager's decision refers to: the same text in the same field."""
        return f"{self.field}|{self.kind}|{self.text}"

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _looks_like_phone(run: str, digits: str) -> bool:
    if run.startswith("+46"):
        return 10 <= len(digits) <= 13
    return run.startswith("0") and 8 <= len(digits) <= 11


def find(text: str, names: Iterable[str] = (), field: str = "description") -> list[Finding]:
    """Everything in `text` that could identify a child, in order, without overlaps."""
    found: list[Finding] = []
    for match in _EMAIL.finditer(text):
        found.append(Finding(field, EMAIL, match.start(), match.end(), match.group()))
    for match in DIGIT_RUN.finditer(text):
        run = match.group()
        digits = re.sub(r"[^0-9]", "", run)
        if run_is_identity_number(run):
            kind = IDENTITY
        elif _looks_like_phone(run, digits):
            kind = PHONE
        else:
            continue
        found.append(Finding(field, kind, match.start(), match.end(), run))
    found.extend(_names_in(text, names, field))
    return _without_overlaps(found)


_WORD = re.compile(r"\w+(?:[-']\w+)*")
MAX_NAME_WORDS = 4


def name_words(names: Iterable[str]) -> set[str]:
    """Whole names and their parts (three letters or more), lower case: what to look for."""
    words: set[str] = set()
    for name in names:
        parts = name.lower().split()
        if parts:
            words.add(" ".join(parts))
        words.update(part for part in parts if len(part) >= 3)
    return words


def _names_in(text: str, names: Iterable[str] | set[str], field: str) -> list[Finding]:
    """Word by word against a set, so a municipality's thousands of pupils cost one pass."""
    wanted = names if isinstance(names, set) else name_words(names)
    if not wanted:
        return []
    tokens = list(_WORD.finditer(text))
    found = []
    for index in range(len(tokens)):
        for width in range(min(MAX_NAME_WORDS, len(tokens) - index), 0, -1):
            span = tokens[index : index + width]
            candidate = " ".join(t.group().lower() for t in span)
            if candidate in wanted:
                start, end = span[0].start(), span[-1].end()
                found.append(Finding(field, NAME, start, end, text[start:end]))
                break
    return found


_PRIORITY = {IDENTITY: 0, EMAIL: 1, PHONE: 2, NAME: 3}


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start)):
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """`text` with each finding replaced by a marker saying what was removed."""
    result = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        result = result[: finding.start] + REPLACEMENTS[finding.kind] + result[finding.end :]
    return result


def identity_numbers_in(text: str) -> list[Finding]:
    return [f for f in find(text) if f.kind == IDENTITY]


def without_identity_numbers(text: str) -> str:
    """The last line of defence before the regional stream: redact any identity number."""
    return redact(text, identity_numbers_in(text))
